"""GET /healthz: the web app, Rasa and the action server, each on its own."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.web.deps import state

router = APIRouter()


@router.get("/healthz", tags=["health"], summary="Web app, Rasa and action server, separately")
async def healthz(request: Request):
    rasa = state(request).rasa
    rasa_h, actions_h = await asyncio.gather(rasa.rasa_health(), rasa.action_server_health())
    ok = rasa_h["ok"] and actions_h["ok"]
    return JSONResponse({"status": "ok" if ok else "degraded", "web": {"ok": True},
                         "rasa": rasa_h, "action_server": actions_h},
                        headers={"cache-control": "no-store"})
