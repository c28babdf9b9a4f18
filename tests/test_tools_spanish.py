"""The guided tools in Spanish (issue #14): the same path as English (the Rasa actions,
bot/tools/flow.py), with the turn's language set to "es" as actions/lang.py sets it for
each action call. What a Spanish speaker types is read (dates, sí/no, "mi hijo",
"parar"), and what they see is Spanish, dates included. Every expected date was counted
by hand on a calendar (the same dates as tests/test_tool_dates.py)."""
from __future__ import annotations

from datetime import date

import pytest
from test_tools_actions import Chat  # the Rasa form loop around the tool actions

from bot import i18n
from bot.tools import flow, replies
from bot.tools.dates import DateProblem, ParsedDate, long_date, parse_date, parse_length
from bot.tools.wants import wants_tool

TODAY = date(2026, 11, 22)  # a Sunday
ENGLISH_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                 "January", "March", "May", "July", "August", "September", "November", "December")


@pytest.fixture(autouse=True)
def spanish(monkeypatch):
    """Today is fixed, and the turn is in Spanish (asyncio.run copies the context, so the
    actions see it, as they do when actions/lang.py sets it from the message's metadata)."""
    monkeypatch.setenv("AOT_TODAY", TODAY.isoformat())
    token = i18n.CURRENT.set("es")
    yield
    i18n.CURRENT.reset(token)


def _no_english_dates(text: str) -> bool:
    return not any(name in text for name in ENGLISH_NAMES)


# ---- reading dates ------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("3 de marzo", date(2026, 3, 3)),
    ("el 3 de marzo de 2026", date(2026, 3, 3)),
    ("el 3 de marzo del 2025", date(2025, 3, 3)),
    ("Marzo 3", date(2026, 3, 3)),
    ("1ro de enero", date(2026, 1, 1)),
    ("el primero de octubre", date(2026, 10, 1)),
    ("14 de ABRIL", date(2026, 4, 14)),
    ("3 de ene", date(2026, 1, 3)), ("3 feb", date(2026, 2, 3)), ("3 de mar", date(2026, 3, 3)),
    ("abr 3", date(2026, 4, 3)), ("3 may", date(2026, 5, 3)), ("3 de jun", date(2026, 6, 3)),
    ("3 de jul.", date(2026, 7, 3)), ("3 de ago", date(2026, 8, 3)), ("3 de sep", date(2026, 9, 3)),
    ("3 de set", date(2026, 9, 3)), ("3 de setiembre", date(2026, 9, 3)),
    ("3 oct 2025", date(2025, 10, 3)), ("3 de nov", date(2026, 11, 3)), ("3 de dic", date(2025 + 1, 12, 3)),
    ("hoy", TODAY),
    ("ayer", date(2026, 11, 21)),
    ("anteayer", date(2026, 11, 20)),
    ("antier", date(2026, 11, 20)),
    ("mañana", date(2026, 11, 23)),
    ("manana", date(2026, 11, 23)),
    ("esta mañana", TODAY),                       # a morning, not tomorrow
    ("el lunes en la mañana", date(2026, 11, 16)),
    ("el lunes pasado", date(2026, 11, 16)),
    ("el viernes", date(2026, 11, 20)),
    ("el domingo", TODAY),                        # a bare weekday can be today
    ("el domingo pasado", date(2026, 11, 15)),    # "pasado" never means today
    ("el miércoles", date(2026, 11, 18)), ("el miercoles", date(2026, 11, 18)),
    ("el sábado", date(2026, 11, 21)), ("el sabado", date(2026, 11, 21)),
    ("el próximo lunes", date(2026, 11, 23)),
    ("hace 3 días", date(2026, 11, 19)),
    ("hace 3 dias", date(2026, 11, 19)),
    ("hace dos semanas", date(2026, 11, 8)),
    ("hace una semana", date(2026, 11, 15)),
    ("3/4/2026", date(2026, 3, 4)),               # numbers stay month/day, echoed in words
    ("presentaron la petición el viernes, ¿cuándo es mi audiencia?", date(2026, 11, 20)),
])
def test_spanish_dates_are_read(text, expected):
    found = parse_date(text, TODAY)
    assert isinstance(found, ParsedDate), found
    assert found.value == expected


@pytest.mark.parametrize("text,kind", [
    ("30 de febrero", "impossible"),
    ("29 de febrero de 2026", "impossible"),
    ("20/11/2026", "day_first"),      # a day first: refused with a note, never turned around
    ("el 3", "unreadable"),           # no month: ask, never guess
    ("hace unos días", "unreadable"),
    ("la semana pasada", "unreadable"),
    ("3 de marzo de 1999", "too_far"),
])
def test_bad_spanish_dates_are_refused_not_guessed(text, kind):
    found = parse_date(text, TODAY)
    assert isinstance(found, DateProblem) and found.kind == kind


def test_english_words_that_look_like_spanish_months_are_not_dates():
    assert parse_date("3 days ago", TODAY).value == date(2026, 11, 19)  # "ago" is not agosto
    assert isinstance(parse_date("the judge set 2 more hearings", TODAY), DateProblem)


def test_dates_are_written_in_the_turns_language():
    assert long_date(date(2026, 11, 20)) == "viernes, 20 de noviembre de 2026"
    assert long_date(date(2026, 11, 20), "en") == "Friday, November 20, 2026"


@pytest.mark.parametrize("text,expected", [
    ("6 meses", ("months", 6)), ("seis meses", ("months", 6)), ("un año", ("months", 12)),
    ("1 ano", ("months", 12)), ("medio año", ("months", 6)), ("180 días", ("days", 180)),
    ("no sé", "unsure"), ("no estoy segura", "unsure"), ("un rato", None),
])
def test_spanish_order_lengths(text, expected):
    assert parse_length(text) == expected


# ---- short replies ---------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("sí", "yes"), ("si", "yes"), ("Sí, tiene 20", "yes"), ("claro", "yes"), ("así es", "yes"),
    ("asi es", "yes"), ("correcto", "yes"),
    ("no", "no"), ("nop", "no"), ("para nada", "no"), ("no, tiene 17", "no"),
    ("no se ha internado", "no"),   # "no se" + a verb is a no, not "I don't know"
    ("no sé", "unsure"), ("no se", "unsure"), ("tal vez", "unsure"), ("quizás", "unsure"),
    ("quizas", "unsure"), ("no estoy seguro", "unsure"),
    ("ya no va a sus citas", None),  # "ya no" is "no longer": not a yes
    ("morado", None),
])
def test_spanish_yes_no_and_unsure(text, expected):
    assert replies.yes_no(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("yo", ("self", "self")), ("mí", ("self", "self")), ("para mí", ("self", "self")),
    ("mi hijo", ("other", "son")), ("Mi hija", ("other", "daughter")),
    ("mi mamá", ("other", "mom")), ("mi papa", ("other", "dad")),
    ("mi cliente", ("other", "client")), ("mi paciente", ("other", "patient")),
    ("mi sobrino", ("other", "nephew")), ("mi amiga", ("other", "friend_f")),
    ("otra persona", ("other", "someone")), ("para mi jefe", None),
])
def test_who_in_spanish(text, expected):
    assert replies.who(text) == expected


# ---- the tools through their actions ------------------------------------------------------
def test_hearing_date_in_spanish_is_answered_in_spanish():
    chat = Chat().start("calc_hearing_date", "presentaron la petición el viernes, ¿cuándo es mi audiencia?")
    text = chat.all_text
    assert chat.active_loop is None
    assert "Fecha de presentación: viernes, 20 de noviembre de 2026." in text
    assert "a más tardar el martes, 1 de diciembre de 2026" in text
    assert ("No conté estos feriados de la corte: Día de Acción de Gracias (jueves, 26 de noviembre) "
            "y Día después de Acción de Gracias (viernes, 27 de noviembre).") in text
    assert "Thanksgiving" not in text and _no_english_dates(text)


def test_hearing_date_in_spanish_asks_again_on_bad_dates():
    chat = Chat().start("calc_hearing_date", "calcula la fecha de mi audiencia")
    assert "¿En qué fecha presentó el condado la petición" in chat.all_text
    chat.say("el día del juicio", intent="nlu_fallback", confidence=0.3)
    assert "no pude encontrar una fecha" in chat.all_text
    chat.say("30 de febrero", intent="nlu_fallback", confidence=0.3)
    assert "El mes de febrero de 2026 no tiene día 30" in chat.all_text
    chat.say("23 de diciembre de 2026")
    text = chat.all_text
    assert "a más tardar el jueves, 31 de diciembre de 2026" in text
    assert "Navidad (viernes, 25 de diciembre)" in text and _no_english_dates(text)


def test_a_day_first_date_is_not_turned_around():
    """20/11 is November 20 to most Spanish speakers; the tool reads numbers month/day,
    so it says so and asks for the month in words (a guess could give a wrong court date)."""
    chat = Chat().start("calc_hearing_date", "calcula la fecha de mi audiencia")
    chat.say("20/11/2026", intent="inform_county", confidence=0.9)  # a try at an answer
    assert "Leo las fechas en números como mes/día: 11/20 es el 20 de noviembre." in chat.all_text
    assert chat.slots["tool_answers"]["tool"] == "hearing" and "filed" not in chat.slots["tool_answers"]
    chat.say("20 de noviembre")
    assert "Fecha de presentación: viernes, 20 de noviembre de 2026." in chat.all_text


def test_holidays_past_the_checked_years_are_named_in_spanish():
    text = " ".join(m["text"] for m in flow.hearing_result(date(2027, 12, 22)))
    # Christmas 2027 is a Saturday: courts close Friday, December 24.
    assert "Navidad (día feriado observado) (viernes, 24 de diciembre)" in text
    assert "Para 2027, pida a la corte" in text


def test_order_timeline_in_spanish():
    chat = Chat(slots={"state": "CA"}).start("calc_order_timeline", "calcula las fechas de mi orden")
    assert "¿En qué fecha empezó la orden?" in chat.all_text
    chat.say("el 3 de marzo", intent="nlu_fallback", confidence=0.4)
    assert "Entendí esta fecha: martes, 3 de marzo de 2026." in chat.all_text
    chat.say("6 meses")
    text = chat.all_text
    assert ("sábado, 2 de mayo de 2026; miércoles, 1 de julio de 2026; y domingo, 30 de agosto "
            "de 2026") in text
    assert "La orden termina el jueves, 3 de septiembre de 2026" in text
    assert _no_english_dates(text)


def test_order_timeline_reads_a_start_and_a_length_in_one_spanish_message():
    chat = Chat().start("calc_order_timeline", "la orden empezó hace dos semanas y dura un año")
    chat.say("nueva york")  # the state, typed in Spanish
    text = chat.all_text
    assert "Inicio de la orden: domingo, 8 de noviembre de 2026. Duración: 12 meses." in text
    assert "La orden termina el lunes, 8 de noviembre de 2027" in text


def test_eligibility_in_spanish_about_a_son():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "¿mi hijo califica para la ley de laura?")
    assert "1 de 7. ¿Tiene su hijo 18 años o más?" in chat.all_text
    for answer in ["sí", "claro", "no sé"]:
        chat.say(answer)
    assert "¿la enfermedad de su hijo ha llevado" in chat.all_text
    for answer in ["no", "así es", "tal vez", "si"]:
        chat.say(answer)
    text = chat.all_text
    assert "Este es un resumen de sus respuestas sobre su hijo." in text
    assert "Usted dijo que no a: un historial de no seguir el tratamiento." in text
    assert chat.slots["tool_answers"] is None


@pytest.mark.parametrize("reply,asked", [
    ("mi hermana", "¿Tiene su hermana 18 años o más?"),
    ("my son", "¿Tiene su hijo 18 años o más?"),      # the "Mi hijo" button's payload
    ("yo", "¿Tiene usted 18 años o más?"),
    ("otra persona", "¿Tiene esta persona 18 años o más?"),
])
def test_eligibility_asks_state_then_who_in_spanish(reply, asked):
    chat = Chat().start("check_eligibility", "revisa los requisitos conmigo")
    assert "¿Es sobre California o sobre Nueva York?" in chat.all_text
    chat.say("California")
    assert "¿Sobre quién pregunta?" in chat.all_text
    chat.say(reply, intent="nlu_fallback", confidence=0.3)
    assert asked in chat.all_text


@pytest.mark.parametrize("reply", ["parar", "ya no", "basta", "cancelar", "olvídalo",
                                   "no quiero seguir", "ya no quiero seguir con estas preguntas"])
def test_stop_in_spanish(reply):
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "¿califica mi hijo?")
    chat.say(reply, intent="nlu_fallback", confidence=0.45)
    assert "Bien, detuve las preguntas sobre quién califica." in chat.all_text
    assert chat.slots["tool_answers"] is None and chat.active_loop is None


def test_a_spanish_no_is_an_answer_not_a_stop():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "¿califica mi hijo?")
    chat.say("no, tiene 17", intent="deny")
    assert "2 de 7" in chat.all_text


# ---- when a tool starts ------------------------------------------------------------------------
@pytest.mark.parametrize("tool,text", [
    ("hearing", "¿cuándo es mi audiencia si presentaron la petición el 3 de marzo?"),
    ("hearing", "calcula la fecha de mi audiencia"),
    ("timeline", "calcula mis fechas"),
    ("timeline", "la orden empezó el 1 de enero"),
    ("eligibility", "¿mi hijo califica para la ley de laura?"),
])
def test_spanish_asking_to_work_it_out_starts_the_tool(tool, text):
    assert wants_tool(tool, text, TODAY)


@pytest.mark.parametrize("tool,text", [
    ("hearing", "¿Qué es un día hábil de la corte?"),
    ("hearing", "que es una audiencia"),
    ("hearing", "¿cómo se cuentan los 5 días?"),
    ("timeline", "¿qué significa 180 días?"),
    ("eligibility", "mi hijo ya está en AOT, ¿qué hago?"),
    ("eligibility", "¿Qué es la ley de Laura?"),
])
def test_a_spanish_what_is_question_gets_an_answer(tool, text):
    assert not wants_tool(tool, text, TODAY)


def test_english_turn_is_unchanged():
    token = i18n.CURRENT.set("en")
    try:
        chat = Chat().start("calc_hearing_date", "the county filed on friday, when is my hearing")
        text = chat.all_text
    finally:
        i18n.CURRENT.reset(token)
    assert "Friday, November 20, 2026" in text and "Tuesday, December 1, 2026" in text
    assert ("I skipped these court holidays: Thanksgiving Day (Thursday, November 26) and Day After "
            "Thanksgiving (Friday, November 27).") in text


def test_a_general_hearing_question_with_a_spanish_filing_date_gets_the_calculator():
    from actions.answers import ActionAnswer

    chat = Chat(slots={"state": "CA"})
    chat._run(ActionAnswer(), chat._tracker(
        "ask_hearing_when", "presentaron la petición el 3 de marzo, ¿cuándo es la audiencia?"))
    assert "a más tardar el martes, 10 de marzo de 2026" in chat.all_text
