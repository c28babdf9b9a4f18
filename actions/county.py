"""Look up a county's AOT status (content/counties.yml) and say what to do next."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.topic_reply import answer_topic, follow_ups
from actions.common import content, current_state, entity_values, send
from bot import counties, states
from bot.content import County

# California statuses are what DRC's December 2021 lists say; New York's is "required".
STATUS_LINES = {"has_aot": "county_has_aot", "no_aot": "county_no_aot",
                "not_listed": "county_not_listed", "required": "county_ny"}


def county_messages(county: County) -> list[dict]:
    """The dated status first, then every later dated report with its source, how to
    check today, the county's own contact points (each with its note), and the source line."""
    c = content()
    key = "county_ny" if county.state == "NY" else STATUS_LINES[county.status]
    msgs = c.render_dialogue(key, county=county.name)
    if county.note:
        note_src = c.sources[county.note_source].short if county.note_source else ""
        msgs.append({"text": c.piece("with_source", text=county.note, source=note_src)
                     if note_src else county.note})
    for report in county.later:
        msgs += c.render_dialogue("county_later", text=report["text"],
                                  source=c.sources[report["source"]].short)
    msgs += c.render_dialogue("county_check_ny" if county.state == "NY" else "county_check_ca")
    for contact in c.contacts_for(county.state, county.name):
        if county.name in contact.get("counties", []):
            msgs.append({"text": contact_line(contact)})
    meta = c.county_meta
    msgs += c.render_dialogue("county_source", source=c.sources[meta["source"][county.state]].short,
                              as_of=meta["as_of"][county.state])
    return msgs


def contact_line(contact: dict) -> str:
    """'Name: phone. How to use it. (Source)' for one entry of contacts.yml."""
    c = content()
    return c.piece("contact_line", name=contact["name"], phone=contact.get("phone"),
                   email=contact.get("email"), how=contact.get("how"),
                   source=c.sources[contact["source"]].short)


GENERAL = counties.GENERAL  # "which counties have AOT?" (older callers read it here)


def remembered_county(tracker: Tracker, text: str) -> counties.Lookup:
    """'Does it have AOT?' after a county, ZIP or city was named: that county
    (actions/context.py keeps it), unless the question is about all counties."""
    name, state = tracker.get_slot("county"), tracker.get_slot("state")
    county = counties.by_key(f"{state}:{name}") if name and state else None
    if county is None or GENERAL.search(text):
        return counties.Lookup()
    return counties.Lookup(county=county, candidates=[county], how="remembered")


class ActionCountyLookup(Action):
    """'Does Fresno have AOT?', 'I live in 94110', 'sutter/yuba', 'LA'."""

    def name(self) -> str:
        return "action_county_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        from actions.follow_up import answer_follow_up  # it calls this action back, marked done

        followed = await answer_follow_up(dispatcher, tracker, domain)
        if followed is not None:  # "what about Brooklyn?" after a lawyer question: for NY
            return followed
        text = tracker.latest_message.get("text") or ""
        # "kings county ny": the short form settles which Kings County
        state = current_state(tracker) or states.from_reply(text.lower())
        ids = entity_values(tracker, "county")
        found = counties.from_entity(ids[0], state) if ids else counties.find(text, state)
        if not found.county and found.how == "unknown":
            found = remembered_county(tracker, text)
        c = content()
        if found.county:
            msgs = county_messages(found.county)
            msgs[-1]["buttons"] = follow_ups("county_status", found.county.state, [])
            send(dispatcher, msgs)
            return [SlotSet("county", found.county.name), SlotSet("state", found.county.state),
                    SlotSet("last_topic", "county_status"), SlotSet("pending_topic", None)]
        if found.how == "ambiguous":
            msgs = c.render_dialogue("county_ambiguous", name=found.candidates[0].name)
            msgs[-1]["buttons"] = [
                {"title": c.piece("county_choice", name=x.name, state_name=c.states[x.state]),
                 "payload": f'/inform_county{{"county": "{x.key}"}}'} for x in found.candidates]
            send(dispatcher, msgs)
            return []
        if found.how == "other_state":
            send(dispatcher, c.render_dialogue("zip_other_state", place=found.place))
            return []
        if tracker.latest_message.get("intent", {}).get("name") == "inform_county" and text.strip():
            send(dispatcher, c.render_dialogue("county_unknown", text=text.strip()[:60]))
            return []
        # A general question ("which counties have AOT?"): the state's overview, then ask.
        events = answer_topic(dispatcher, "county_status", state) if state else []
        send(dispatcher, c.render_dialogue("ask_county"))
        return events + [SlotSet("pending_topic", None), SlotSet("last_topic", "county_status")]
