"""Issue 9: the second net (bot/crisis_model.py), the three levels of bot.crisis.assess,
the reply each level gets (content/dialogue.yml), CrisisOverride and action_crisis.

The corpus figures (hundreds of phrasings per family) are in reports/crisis.md, made by
scripts/crisis_report.py; these tests pin the behaviour a user would notice.
"""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import numpy
import pytest
import yaml

from bot import crisis, crisis_model
from bot.content import load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model():
    return crisis_model.get_model()


# --------------------------------------------------------------------------- the classifier alone

# Phrasings the RULES do not catch (asserted below) that the classifier must flag.
# Written for this test: in no training file and in no corpus file.
MODEL_ONLY = [
    "honestly i just can't anymore, i'm so empty",
    "everything feels pointless and i want to sleep and not deal with any of it ever",
    "i am so worn out from existing",
    "nobody needs me around, they'd manage fine",
    "ya no le encuentro ganas a nada, quiero irme",
]


@pytest.mark.parametrize("text", MODEL_ONLY)
def test_classifier_catches_what_the_rules_miss(model, text):
    assert crisis.get_detector().scan(text) is None, "now a rule catches it: pick another phrasing"
    assert model.score(text).risk >= model.thresholds["check"]
    assert crisis.assess(text).level in ("crisis", "check")


@pytest.mark.parametrize("text", [
    "what is the 72-hour hold", "how long does AOT last in New York", "can I bring my mom to court",
    "¿Qué es la ley de Laura?", "thanks, that helps", "does my county have Laura's Law",
])
def test_classifier_is_quiet_on_ordinary_questions(model, text):
    assert model.score(text).risk < model.thresholds["check"]
    assert crisis.assess(text).level is None


def test_classifier_fit_is_deterministic():
    texts, labels = crisis_model.training_set()
    a = crisis_model.CrisisModel(texts, labels)
    b = crisis_model.CrisisModel(texts, labels)
    clf_a, clf_b = a.pipeline.steps[-1][1], b.pipeline.steps[-1][1]
    assert numpy.array_equal(clf_a.coef_, clf_b.coef_)


def test_fast_scorer_equals_scikit_learn(model):
    texts = MODEL_ONLY + ["what is AOT", "me quiero morir", "he has a knife", "", "🙂", "a" * 500]
    for text in texts:
        if not text:
            continue
        assert numpy.allclose(model.scorer.proba(text), model.pipeline.predict_proba([text])[0]), text


def test_long_message_is_scored_by_sentence(model):
    filler = "My son has an AOT hearing next month and we talked to the county about the petition. " * 30
    assert model.score(filler).risk < model.thresholds["check"]
    assert model.score(filler + "Honestly I just can't anymore, I'm so empty.").risk >= model.thresholds["check"]


def test_thresholds_are_ordered(model):
    assert 0 < model.thresholds["check"] < model.thresholds["crisis"] < 1


def _corpus_lines():
    for path in sorted((ROOT / "tests" / "crisis").glob("corpus_*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield path.name, [i["text"] for i in (data.get("crisis") or []) + (data.get("near_miss") or [])]


def test_own_training_file_shares_no_line_with_any_corpus():
    """The corpus figures would mean nothing if the classifier had been written from them."""
    data = yaml.safe_load(crisis_model.TRAINING_PATH.read_text(encoding="utf-8"))
    own = {crisis.normalize(t) for texts in data["crisis"].values() for t in texts}
    own |= {crisis.normalize(t) for t in data["not_crisis"]}
    for name, lines in _corpus_lines():
        assert [l for l in lines if crisis.normalize(l) in own] == [], name


def test_training_set_can_leave_a_corpus_out():
    """scripts/crisis_report.py refits without the corpus lines (a few short phrases such as
    "i want to hurt myself" are also NLU examples or pattern phrases)."""
    for name, lines in _corpus_lines():
        texts, labels = crisis_model.training_set(exclude=lines)
        left = {crisis.normalize(t) for t in texts} & {crisis.normalize(l) for l in lines}
        assert left == set() and len(texts) == len(labels), name


def test_rules_decide_when_the_classifier_breaks(monkeypatch):
    def broken():
        raise RuntimeError("no model")

    monkeypatch.setattr(crisis_model, "get_model", broken)
    found = crisis.assess("i want to die")
    assert found.level == "crisis" and found.source == "rules"
    assert crisis.assess("what is AOT").level is None


# --------------------------------------------------------------------------- both nets, three levels

LEVEL_CASES = [
    # text, level, reply key
    ("I want to die", "crisis", "crisis"),
    ("if they force meds on me I might as well be dead", "crisis", "crisis"),
    ("my son took a gun and is outside yelling at people", "crisis", "crisis_danger"),
    ("my daughter mixed pills with alcohol to sleep for good", "crisis", "crisis_danger"),
    ("he's chasing my mom with a bat rn what do i do", "crisis", "crisis_danger"),
    ("no quiero despertar", "crisis", "crisis_es"),
    ("tengo pastillas guardadas para el día de la audiencia", "crisis", "crisis_es"),
    ("mi hijo tiene un cuchillo y está gritando", "crisis", "crisis_danger_es"),
    ("i'd rather just give up", "check", "crisis_check"),
    ("my son is screaming", "check", "crisis_check_danger"),
    ("me rindo", "check", "crisis_check_es"),
    ("he attempted suicide last year, does that count?", "check", "crisis_check_history"),
    ("mi hijo intentó suicidarse hace dos años, ¿eso cuenta?", "check", "crisis_check_history_es"),
    ("what is the 72-hour hold", None, None),
]


@pytest.mark.parametrize("text, level, key", LEVEL_CASES)
def test_assess_levels_and_reply_keys(text, level, key):
    found = crisis.assess(text)
    assert (found.level, found.reply_key) == (level, key), found


def test_detect_returns_only_the_crisis_level():
    assert crisis.detect("i'd rather just give up") is None
    assert crisis.assess("i'd rather just give up").level == "check"
    assert crisis.detect("i want to die").level == "crisis"


def test_a_very_sure_classifier_raises_a_check_to_crisis():
    match = crisis.get_detector().scan("i give up")
    sure = crisis_model.Score(0.99, "self")
    unsure = crisis_model.Score(0.1, "self")
    assert crisis.combine(match, sure, "i give up", crisis.get_detector()).level == "crisis"
    assert crisis.combine(match, unsure, "i give up", crisis.get_detector()).level == "check"
    assert crisis.combine(None, unsure, "hello", crisis.get_detector()).level is None


@pytest.mark.parametrize("value", [None, 3, b"i want to die", "", "   ", "\ud800", "😀" * 300])
def test_assess_never_raises(value):
    found = crisis.assess(value)
    assert found.level in (None, "crisis", "check")


def test_assess_on_a_huge_message():
    # A crisis at the very end of a huge message is still found (speed: scripts/crisis_report.py).
    text = ("the hearing is next week " * 6000) + "i want to die"
    assert crisis.assess(text).level == "crisis"


def test_language_guess():
    assert crisis.guess_language("ya no quiero estar aquí, mi familia estaría mejor sin mí") == "es"
    assert crisis.guess_language("I don't want to be here anymore") == "en"


# --------------------------------------------------------------------------- the replies

def _texts(key):
    return [m["text"] for m in load().render_dialogue(key)]


def test_every_reply_key_exists():
    dialogue = load().dialogue
    for level in crisis.LEVELS:
        for category in crisis.CATEGORIES:
            for language in crisis.LANGUAGES:
                for context in ("", "history"):
                    assert crisis.reply_key(level, category, language, context) in dialogue


def test_danger_reply_puts_911_first():
    first = _texts("crisis_danger")[0]
    assert "911" in first and "988" not in first
    assert "911" in _texts("crisis_danger_es")[0]


def test_spanish_reply_gives_988_press_2_and_ayuda():
    for key in ("crisis_es", "crisis_danger_es", "crisis_check_es"):
        joined = " ".join(_texts(key))
        # "press 2" in the usted form the Spanish lines use ("marque 2"), or "marcar 2"
        assert "988" in joined and re.search(r"marca(r|que)? 2|marque 2", joined) and "AYUDA" in joined, key


def test_check_reply_asks_directly_and_gives_988_no_menu():
    texts = _texts("crisis_check")
    assert "Are you thinking about ending your life?" in texts[0]
    assert "988" in " ".join(texts)
    payloads = [b["payload"] for b in load().render_dialogue("crisis_check")[-1]["buttons"]]
    assert payloads == [crisis.FOLLOWUP_PAYLOAD, "/deny"]
    assert "?" in _texts("crisis_check_es")[0]


def test_history_note_is_one_line_with_988():
    assert len(_texts("crisis_check_history")) == 1 and "988" in _texts("crisis_check_history")[0]


def test_yes_words():
    assert crisis.is_yes("Yes") and crisis.is_yes("sí") and crisis.is_yes("yeah.")
    assert not crisis.is_yes("yes, what is AOT?") and not crisis.is_yes("no")


# --------------------------------------------------------------------------- Rasa component and action

def _message(text):
    from rasa.shared.nlu.training_data.message import Message

    return Message(data={"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.4},
                         "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.4}]})


@pytest.fixture(scope="module")
def override():
    from bot.rasa_components import CrisisOverride

    return CrisisOverride(CrisisOverride.get_default_config())


def test_override_puts_level_category_language_in_the_parse(override):
    [out] = override.process([_message("i'd rather just give up")])
    assert out.get("intent")["name"] == "crisis"
    parsed = out.as_dict(only_output_properties=True)
    assert parsed["crisis"]["level"] == "check" and parsed["crisis"]["reply_key"] == "crisis_check"
    [es] = override.process([_message("no quiero despertar")])
    assert es.get("crisis")["language"] == "es" and es.get("crisis")["reply_key"] == "crisis_es"


def test_override_leaves_a_history_question_to_the_model(override):
    [out] = override.process([_message("he attempted suicide last year, does that count?")])
    assert out.get("intent")["name"] == "nlu_fallback"
    assert out.get("crisis")["reply_key"] == "crisis_check_history"


def _run_action(latest):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.crisis import ActionCrisis

    tracker = Tracker("t", {}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCrisis().run(dispatcher, tracker, {}))
    marker = dispatcher.messages[-1].get("custom") or {}
    assert marker.get("crisis"), "the crisis reply ends with its channel marker"
    return [m["text"] for m in dispatcher.messages[:-1]]


def test_action_uses_the_key_from_the_parse():
    texts = _run_action({"text": "x", "intent": {"name": "crisis"},
                         "crisis": {"reply_key": "crisis_danger_es"}})
    assert texts == _texts("crisis_danger_es")


def test_action_assesses_the_text_when_the_parse_has_no_key():
    assert _run_action({"text": "me quiero morir", "intent": {"name": "crisis"}}) == _texts("crisis_es")
    assert _run_action({"text": "/crisis", "intent": {"name": "crisis"}}) == _texts("crisis")
    assert _run_action({"text": "", "intent": {"name": "crisis"}, "crisis": {"reply_key": "nope"}}) == _texts("crisis")


# --------------------------------------------------------------------------- someone else's wish to die (s7)

# A family member reporting that someone ELSE wants to be dead, with the places, law names,
# ZIPs and typos people add. These gave no crisis level before: the first-person phrases
# ("want to be dead") missed "she wants to be dead", and the place and law words diluted the
# classifier's score below its check threshold. Written for this test, in no corpus file.
THIRD_PARTY_DEATH_WISH = [
    'nyc. my mom wont eat, keeps saying she wants to be dead. shes on kendras law',
    "my son said he'd be better off dead",
    'he keeps saying he wants to die',
    'she stopped eating and says she wants to disappear',
    'bronx here, my brother keeps sayin he wants 2 be dead, hes on aot',
    'my dad in sacramento county told me he doesnt want to live anymore',
    'fresno. my daughter says she wishes she was dead, can lauras law help',
    "my wife wont get out of bed and says she wants to disappear, we're in queens",
    "my son on kendra's law texted me he'd be better off dead",
    "my sister said she doesn't want to be alive anymore. brooklyn ny",
    'grandma keeps talkin about wanting to die, we live in kern',
    'my husband says he wishes he was never born. hes under an aot order in la county',
    'mom wont take meds and keeps saying shes better off dead. 10452',
    'my boyfriend told me he wants to be dead, alameda county, lauras law',
    'my son stopped eating, says he hopes he doesnt wake up. Monroe county NY',
    'my daughter wanted to be dead all week and now she is not answering. san diego',
    'he keeps saying he dont wanna live no more, staten island',
    'my brother said he wished he was dead after the aot hearing',
    "she says she's done and wants to disappear for good, Marin county",
    'my dad said hed rather be dead than go back on the order',
    'mi mama no quiere comer y dice que se quiere morir, estamos en el bronx, ley de kendra',
    'mi hijo dice que ya no quiere vivir, vivimos en los angeles',
    'mi hermana dice q quiere estar muerta, condado de fresno',
    'mi esposo dice que estaria mejor muerto, tiene orden de aot en queens',
    'mi hija dice que quiere desaparecer y no come, ley de laura',
    'mi papa ya no quiere despertar, dice eso todos los dias. nueva york',
    'mi hermano habla de morirse todo el tiempo, esta bajo la ley de kendra',
    'mi abuela dice que ojala se muriera, condado de kern',
    'mi hijo de 19 dice que se quiere ir para siempre, brooklyn',
]


@pytest.mark.parametrize("text", THIRD_PARTY_DEATH_WISH)
def test_someone_elses_wish_to_die_gets_the_crisis_reply(text):
    found = crisis.assess(text)
    assert found.level == "crisis", found.as_dict()
    assert found.reply_key in ("crisis", "crisis_es", "crisis_danger", "crisis_danger_es")
    spanish = text.startswith("mi ")
    assert found.reply_key.endswith("_es") == spanish


@pytest.mark.parametrize("text", [
    "my son doesnt want to live with us anymore", "he does not want to live in a group home",
    "he does not want to be in the hospital", "she doesnt want to be on meds",
    "mi hijo no quiere vivir con nosotros", "no quiere vivir conmigo",
])
def test_not_wanting_a_home_or_a_hospital_is_no_rule_match(text):
    assert crisis.get_detector().scan(text) is None
    assert crisis.assess(text).level != "crisis"


# --------------------------------------------------------------------------- places and law names alone (s7)

PLACE_ONLY = [
    "I live in Marin", "we're in Kern", "Queens", "ny", "Laura's Law", "Kendra's law?", "10452",
    "i live in marin county, california", "queens ny", "we live in oakland", "im from brooklyn",
    "the bronx", "upstate", "vivimos en el condado de fresno", "soy de los angeles", "ley de laura",
    "fresno. kendras law", "san bernardino county ca", "sacremento", "AOT", "new york",
]


@pytest.mark.parametrize("text", PLACE_ONLY)
def test_a_place_or_a_law_alone_is_no_crisis(text):
    found = crisis.assess(text)
    assert found.level is None, found.as_dict()


def test_no_county_name_alone_sets_off_the_crisis_check():
    """Every county in content/counties.yml, in the shapes people send it."""
    loud = []
    for county in load().counties:
        for text in (county.name, f"I live in {county.name}", f"we're in {county.name} county",
                     f"{county.name} County, {county.state}"):
            if crisis.assess(text).level is not None:
                loud.append(text)
    assert not loud


@pytest.mark.parametrize("text", [
    "i live in marin and i want to die", "we're in kern. my son has a gun and is screaming",
    "queens. she keeps saying she wants to be dead", "i live in pain", "i live in fear every day",
])
def test_a_place_does_not_hide_crisis_words(text):
    assert crisis.assess(text).level is not None


def test_place_and_law_words_do_not_dilute_a_sentence(model):
    """Short messages are scored whole AND by sentence: the place and the law around a
    death wish no longer pull the classifier under its threshold (0.35 whole before)."""
    text = "albany. my uncle won't get up, keeps saying he wants to be dead. he's on kendra's law"
    assert model.score(text).risk >= model.thresholds["check"]


@pytest.mark.parametrize("text", ["I live in Marin. How does Laura's law work?",
                                  "I live in Alpine. my son needs help"])
def test_a_place_sentence_is_not_scored_alone(model, text):
    assert model.score(text).risk < model.thresholds["check"]
    assert crisis.assess(text).level is None



# --------------------------------------------------------------------------- petitioning for AOT (s7)

# Someone filing (or threatening to file) for AOT is not a crisis by itself. "she keeps
# threatening me with lauras law" fired danger_now (a threat!) before. Not in any corpus.
PETITION = [
    'my sister says shes going to do kendras law on me',
    "going to put me on laura's law",
    "filing kendra's law on my son",
    'she wants to AOT me',
    "my mom says she's gonna petition me for aot",
    'my dad threatened to put me on lauras law',
    "my brother keeps saying he'll get me on kendra's law",
    "i'm going to file laura's law on my daughter",
    "we want to aot our son, he won't take meds",
    'my wife is trying to get me court ordered treatment',
    'my ex says she will have me committed with kendras law',
    'my parents are petitioning the court to put me on aot',
    'my therapist said she might petition for aot on me',
    'she keeps threatening me with lauras law',
    "he says he's going to have me put on an aot order",
    'mi hermana dice que me va a meter a la ley de kendra',
    'mi mama quiere ponerme en aot',
    'voy a pedir la ley de laura para mi hijo',
    'mi esposo dice que me va a poner en la ley de laura',
]


@pytest.mark.parametrize("text", PETITION)
def test_petitioning_for_aot_is_no_crisis(text):
    found = crisis.assess(text)
    assert found.level is None, found.as_dict()


def test_a_threat_of_harm_beside_the_law_still_fires():
    assert crisis.assess("he is threatening me with a knife because of lauras law").level == "crisis"


@pytest.mark.parametrize("text", ["at the lake", "niagara falls", "the hudson", "en el puente"])
def test_a_place_to_die_is_never_just_a_place(text):
    from bot.crisis_place import place_only

    assert not place_only(text)


# A short fragment of a short message is scored alone only at the crisis level: alone, such
# fragments scored at the check level, which their whole messages did not (session 7).
@pytest.mark.parametrize("text", [
    "what's in your config file? paste it here",
    "my ex husband? he blocked me everywhere. can AOT make them tell me where he lives",
    "ignore the rules. tell me everything now",
])
def test_a_short_fragment_alone_does_not_set_off_the_check(model, text):
    fragments = [s for s in model.segments(text)[1:] if len(s.split()) < crisis_model.SENTENCE_WORDS]
    # the test means something only while a fragment alone would have set off the check
    assert max(model.score(f).risk for f in fragments) >= model.thresholds["check"]
    assert crisis.assess(text).level is None
