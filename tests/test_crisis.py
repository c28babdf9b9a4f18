"""Crisis-first safety layer: bot/crisis.py, content/crisis_patterns.yml and
bot.rasa_components.CrisisOverride.

A crisis message must be caught (988 / 911 come first); an ordinary AOT question,
including one that quotes the legal criteria ("danger to himself or others"),
must not be. The rule for legal vocabulary is documented at the top of
content/crisis_patterns.yml.
"""
from __future__ import annotations

from pathlib import Path

import copy

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

from bot import crisis

PATTERNS = yaml.safe_load((ROOT / "content" / "crisis_patterns.yml").read_text(encoding="utf-8"))

# --------------------------------------------------------------------------- crisis phrasings
# One case per pattern family: (family id, expected category, language, phrasings).

CRISIS_CASES = {
    "suicide_direct": ("suicide", "en", [
        "I want to die",
        "idk anymore, honestly i want to die, what's the point",
        "I WANT TO DIE!!!",
        "i wanna die",
        "want 2 die tbh",
        "i want to dieeeee",
        "I'm going to kill myself",
        "I\u2019m gonna kill myself tonight",          # curly apostrophe
        "thinking about killing my self",
        "killmyself",
        "i'm going to end my life",
        "I plan to take my own life.",
        "I've been feeling suicidal for weeks",
        "I keep thinking about suicide",
        "I wish I was dead",
        "my son says he's going to kill himself",
        "she's talking about hanging herself",
        "i'm going to jump off the bridge",
        "I'm standing on the bridge right now",
        "i have a gun to my head",
        "\uff29 \uff57\uff41\uff4e\uff54 \uff54\uff4f \uff44\uff49\uff45",  # fullwidth "I want to die"
        "i want to d\u200bie",                          # zero-width space inside
        "i want\x00to die",                              # control character
        "my daughter says shes going to die",
        "i want to k i l l myself",                     # spaced letters
        "i will end myself",
        "i bought rope",
    ]),
    "suicide_indirect": ("suicide", "en", [
        "I'd rather not wake up tomorrow",
        "i would rather not wake up",
        "I don't want to be here anymore",
        "dont want to be alive anymore",
        "Everyone would be better off without me.",
        "There's no reason to live",
        "i just want to sleep forever",
        "I want to go to sleep and never wake up",
        "i'm thinking about ending it all",
        "what's the point of living",
        "I can't go on like this anymore",
        "i have nothing to live for",
        "I don't want to live anymore",
        "I don't want to live in this world anymore",
        "i cant do this anymore",
        "she says she wants to disappear forever",
        "im done with life",
        "i cant stop thinking about dying",
        "I don't think I can keep living",
        "i want to stop existing",
        "nobody would notice if i was gone",
    ]),
    "suicide_slang": ("suicide", "en", [
        "kms",
        "i'm gonna kms lol",
        "KMS.",
        "been thinking about unaliving myself",
        "i want to unalive",
        "sewerslide",
        "sewer slide thoughts again",
        "kys",  # abuse aimed at the bot still gets the crisis line: cheap, and safe
        "i might self-delete",
    ]),
    "self_harm": ("self_harm", "en", [
        "I keep cutting myself",
        "i want to hurt myself",
        "I burned myself on purpose",
        "I've been self-harming again",
        "i want to HURT MY SELF",
        "he is hurting himself right now",
        "she keeps cutting herself",
        "I cut my wrists",
        "im going to hurt myself",
        "I've been cutting again",
        "help me i cut too deep",
    ]),
    "overdose": ("overdose", "en", [
        "I took all my pills",
        "i just took a whole bottle of tylenol",
        "i swallowed all my meds",
        "I overdosed",
        "he overdosed and isn't waking up",
        "I took too many pills",
        "she took all her pills at once",
        "i OD'd",
        "she took like 40 pills",
        "i took my whole prescription at once",
    ]),
    "harm_others": ("harm_others", "en", [
        "I'm going to kill him",
        "i will kill you",
        "I might hurt someone",
        "I want to hurt my dad",
        "my brother is threatening to shoot",
        "he threatened to kill my mom tonight",
        "the voices are telling me to hurt the baby",
        "he says he'll kill us",
        "i'm going to hurt the people who did this to me",
        "she said she's going to burn the house down with us inside",
        "I'm going to shoot up the place",
    ]),
    "weapon_present": ("harm_others", "en", [
        "he has a knife",
        "She has a gun!",
        "he's got a gun",
        "my son is holding a kitchen knife",
        "I have a gun",
        "he came at me with a knife",
        "he's outside with a bat screaming",
    ]),
    "danger_now": ("danger_now", "en", [
        "he's attacking me",
        "i'm not safe",
        "I don't feel safe at home",
        "someone is breaking in",
        "Someone's breaking into my house!!",
        "he is hurting me",
        "she's beating my mom",
        "my husband just hit me",
        "help he is choking me",
        "my life is in danger",
        "there's someone in my house",
    ]),
    "suicide_es": ("suicide", "es", [
        "me quiero morir",
        "ME QUIERO MORIR!!!",
        "Quiero matarme",
        "no quiero vivir",
        "ya no quiero vivir",
        "voy a quitarme la vida",
        "pienso en suicidarme",
        "mi hijo dice que se va a matar",
        "no quiero vivir en este mundo",
        "tengo ganas de morirme",
        "me quiero quitar la vida",
        "estoy pensando en matarme",
        "no le veo sentido a la vida",
    ]),
    "self_harm_es": ("self_harm", "es", [
        "mi hermana se esta cortando",
        "quiero hacerme daño",
        "quiero hacerme dano",
        "voy a hacerme daño",
        "me estoy cortando otra vez",
        "me corté las venas",
    ]),
    "overdose_es": ("overdose", "es", [
        "me tomé todas las pastillas",
        "me tome todas mis pastillas",
    ]),
    "harm_others_es": ("harm_others", "es", [
        "mi hijo dice que va a quemar la casa",
        "mi esposo amenaza con quemarnos",
        "tiene un cuchillo",
        "Mi esposo tiene una pistola",
        "lo voy a matar",
        "me va a matar",
    ]),
    "danger_now_es": ("danger_now", "es", [
        "me está pegando",
        "no estoy a salvo",
        "hay alguien en mi casa",
    ]),
    # ---- added for issue 9: the phrasings it reports as missed, and their kin
    "suicide_passive": ("suicide", "en", [
        "if they force meds on me I might as well be dead",
        "I might as well be dead if they force meds on me",
        "everyone would be better off",
        "id rather die than go back to that hospital",
        "I'll just end it if the judge signs the order",
        "i won't be around much longer",
        "I can't do it anymore",
    ]),
    "farewell": ("suicide", "en", [
        "this is my last msg",
        "this is my last message, thank you",
        "by the time you read this i will be gone",
        "tell my mom i love her",
        "i gave away all my things",
    ]),
    "plan_means": ("suicide", "en", [
        "I have saved up two months of pills and tonight is as good as any night",
        "tonight is as good as any night",
        "been saving my meds for weeks",
        "how many pills would it take",
        "she mixed pills to sleep for good",
        "I have enough pills to never wake up",
    ]),
    "self_harm_more": ("self_harm", "en", [
        "she is cutting right now",
        "i'm cutting again",
        "he keeps banging his head against the wall",
        "i scratch until i bleed",
        "she is burning her hands with a lighter",
        "i put out a cigarette on my arm",
        "the urge to cut is so strong",
    ]),
    "medical_now": ("overdose", "en", [
        "my daughter mixed pills with alcohol to sleep for good",
        "he's unresponsive",
        "she is foaming at the mouth",
        "my son took his pills with a bottle of vodka",
        "i can't wake her up",
    ]),
    "danger_others_now": ("danger_now", "en", [
        "my son is screaming and breaking things",
        "he is smashing the windows",
        "my brother is threatening everyone in the house",
        "he's punching holes in the walls",
        "he's violent right now",
    ]),
    "suicide_es_more": ("suicide", "es", [
        "ya no quiero despertar",
        "soy una carga para todos",
        "tengo pastillas guardadas para el día de la audiencia",
        "estoy juntando mis pastillas",
        "este es mi último mensaje",
        "prefiero morir que volver al hospital",
    ]),
    "self_harm_es_more": ("self_harm", "es", [
        "me golpeo la cabeza contra la pared",
        "me corté otra vez",
    ]),
    "medical_es": ("overdose", "es", [
        "mi hija no respira",
        "mezcló pastillas con alcohol",
    ]),
    "danger_es_more": ("danger_now", "es", [
        "mi hijo está rompiendo todo",
        "está persiguiendo a mi mamá con un bate",
    ]),
    "third_party_wish": ("suicide", "en", [
        "my mom keeps saying she wants to be dead",
        "he doesnt want to live anymore",
        "she told me she wants to disappear",
        "my dad wishes he was never born",
    ]),
    "third_party_wish_es": ("suicide", "es", [
        "mi mama dice que se quiere morir",
        "mi hijo ya no quiere vivir",
    ]),
}

# Check-level families: ambiguous alone. They get the direct, kind question
# (dialogue.yml crisis_check*), never the menu, and never the full crisis reply.
CHECK_CASES = {
    "passive_check": ("suicide", "en", [
        "i'd rather just give up",
        "there's no point anymore",
        "i feel so hopeless",
        "thank you for everything. goodbye",
        "i have a plan",
    ]),
    "self_harm_check": ("self_harm", "en", [
        "i keep banging my head against the wall",
        "i punish myself",
    ]),
    "danger_check": ("danger_now", "en", [
        "my son is screaming",
        "he's out of control",
    ]),
    "check_es": ("suicide", "es", [
        "soy una carga",
        "me rindo",
    ]),
    "third_party_check": ("suicide", "en", [
        "my daughter wants to disappear",
    ]),
    "medical_check": ("overdose", "en", [
        "he passed out",
        "i took too much",
        "i won't need the lawyer list anymore",
    ]),
}

ALL_CRISIS = [(fam, text) for fam, (_, _, texts) in CRISIS_CASES.items() for text in texts]


def test_every_family_in_the_yaml_has_a_test_case():
    assert {f["id"] for f in PATTERNS["families"]} == set(CRISIS_CASES) | set(CHECK_CASES)
    levels = {f["id"]: f.get("level", "crisis") for f in PATTERNS["families"]}
    assert {levels[f] for f in CRISIS_CASES} == {"crisis"}
    assert {levels[f] for f in CHECK_CASES} == {"check"}


@pytest.mark.parametrize("family", sorted(CHECK_CASES))
def test_check_family_asks_instead_of_alarming(family):
    category, language, texts = CHECK_CASES[family]
    for text in texts:
        match = crisis.get_detector().scan(text)
        assert match is not None and match.level == "check", text
        assert category in match.categories and match.language == language, text
        assert crisis.detect(text) is None, text  # detect(): crisis level only


@pytest.mark.parametrize("text", ["he is screaming right now what do i do", "my son is out of control rn, help"])
def test_urgency_turns_a_danger_check_into_a_crisis(text):
    assert crisis.detect(text).category == "danger_now"


@pytest.mark.parametrize("family", sorted(CRISIS_CASES))
def test_crisis_family_is_caught(family):
    category, language, texts = CRISIS_CASES[family]
    missed, wrong = [], []
    for text in texts:
        match = crisis.detect(text)
        if match is None:
            missed.append(text)
        elif category not in match.categories:
            wrong.append((text, match))
    assert missed == [], f"{family}: not caught"
    assert wrong == [], f"{family}: caught with the wrong category"
    assert len(texts) >= 2


@pytest.mark.parametrize("family", sorted(CRISIS_CASES))
def test_crisis_family_reports_language_and_span(family):
    category, language, texts = CRISIS_CASES[family]
    match = crisis.detect(texts[0])
    assert match.category == category and match.language == language
    assert match.text and match.text in crisis.normalize(texts[0])
    assert match.family in {f["id"] for f in PATTERNS["families"]}


def test_crisis_inside_long_text_is_caught():
    filler = "My son has schizophrenia and the county says he might qualify for AOT. " * 120
    assert crisis.detect(filler + "Honestly i want to die. " + filler).category == "suicide"
    assert crisis.detect(filler * 3 + " he has a knife").category == "harm_others"


def test_most_urgent_category_wins():
    match = crisis.detect("i want to die and he has a gun")
    assert match.category == "harm_others"
    assert match.categories == ("harm_others", "suicide")


# --------------------------------------------------------------------------- not a crisis

NOT_CRISIS = [
    # the brief's list
    "what is the 72-hour hold",
    "can they hold me for 72 hours",
    "kill the process",
    "my lawyer is killing it",
    "I'm dying to know when the hearing is",
    "the deadline is friday",
    "what if I don't take my meds",
    "can they force medication",
    "is AOT a 5150",
    "my son was hospitalized twice",
    "he was violent two years ago, does that count",
    "what does gravely disabled mean",
    "danger to self or others criteria",
    # legal vocabulary: criteria, not a crisis now
    "Is he a danger to himself or others under Laura's Law?",
    "does he have to be a danger to himself to qualify",
    "what counts as a serious violent act",
    "threats or attempts of serious physical harm to himself or others within 48 months",
    "he threatened his neighbor two years ago, is that enough",
    "does a history of violence count for Kendra's Law",
    "what is the difference between a 5150 hold and a 5250",
    "he has a history of hurting himself, would AOT help",
    "does he have to hurt someone before they step in?",
    "is he a threat to others if he stops his meds",
    "¿Es un peligro para sí mismo o para otros?",
    "¿Qué es la ley de Laura?",
    # idioms
    "how do I kill the process on the server",
    "shoot me an email with the form",
    "she is drop dead gorgeous",
    "he needs to blow off steam at the gym",
    "the food at the clinic is to die for",
    "this paperwork is killing me",
    "my phone died, sorry",
    "I could die of embarrassment at the hearing",
    "killing time before my appointment",
    "it just hit me that the hearing is tomorrow",
    "I cut myself some slack today",
    "hold on, let me find the case number",
    "I'm in danger of losing my apartment",
    # ordinary AOT questions
    "how long does AOT last",
    "who can file a petition in LA county",
    "is Laura's Law active in Orange County",
    "can I refuse the treatment plan",
    "how do I end it early",
    "I want it to end, how long does the order last",
    "can I end AOT early",
    "my daughter refuses to take her medication",
    "he took his meds today",
    "I've been cutting back on my meds",
    "he stopped his meds and is getting worse",
    "she hears voices but is not violent",
    "I don't want to be on AOT anymore",
    "I don't want to live with my mother anymore, can AOT help?",
    "I'm tired of living in a group home",
    "my mom is kicking me out, can AOT help with housing",
    "is the court going to hurt his chances of getting a job",
    "will AOT hurt my son's record",
    "they are threatening my son with a 5150",
    "he is mentally ill and refuses treatment",
    "can someone on AOT own a gun",
    "does he lose his gun rights",
    "I have a gun permit, does that matter",
    "he has a knife collection",
    "i never wake up on time for appointments",
    "the hospital is 20 kms away",
    "is it safe to stop meds?",
    "I'm not sure this is the right form",
    "my son's doctor wants to try a shot instead of pills",
    "that is odd",
    "i took 2 pills this morning",
    "i want to end things with my boyfriend",
    "he was beaten up by police last year, does that matter",
    "the judge killed our petition",
    "he punched a wall once, does that count as violence",
    "what is considered a threat under Kendra's Law",
    "do I need to prove he's dangerous",
    "he can keep living at home under AOT",
    # Spanish
    "no quiero vivir con mi hermano",
    "no estoy seguro si califica",
    "mi hijo fue hospitalizado dos veces",
    "me muero de ganas de saber la fecha",
    "voy a matar el tiempo hasta la audiencia",
    "me voy a morir de risa",
    "¿pueden obligarlo a tomar medicamentos?",
]


def test_enough_non_crisis_cases():
    assert len(NOT_CRISIS) >= 30


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_not_a_crisis(text):
    assert crisis.detect(text) is None


# Formerly "deliberate catches" (the full crisis reply). Issue 9: a question about a
# PAST crisis or about the criteria is not a crisis now. The rules still see it, at
# the check level with context "history": a one-line 988 note, then the answer.
DELIBERATE_CATCHES = [
    "he attempted suicide last year, does that count?",
    "my son overdosed twice last year, can he get AOT",
    "does self-harm count as danger to self?",
    "he has a gun at home, will AOT take it away?",
]


@pytest.mark.parametrize("text", DELIBERATE_CATCHES)
def test_deliberate_catches(text):
    match = crisis.get_detector().scan(text)
    assert match is not None and match.level == "check" and match.context == "history"
    assert crisis.detect(text) is None


@pytest.mark.parametrize("text", [
    "he attempted suicide last year and he says he wants to do it again tonight",
    "my son overdosed last year and now he is not breathing",
    "i tried to kill myself before, does that count? i want to die",
])
def test_present_wins_over_history(text):
    assert crisis.detect(text) is not None


# --------------------------------------------------------------------------- pattern file

def test_every_phrase_fires_on_its_own():
    """No `exclude` entry may swallow a crisis phrase, and every phrase tokenises to something."""
    bad = []
    detector = crisis.get_detector()
    for fam in PATTERNS["families"]:
        for phrase in fam.get("phrases") or []:
            match = detector.scan(phrase)
            if match is None or fam["category"] not in match.categories:
                bad.append((fam["id"], phrase, match))
    assert bad == []


def test_every_exclusion_is_quiet_on_its_own():
    assert [p for p in PATTERNS["exclude"] if crisis.detect(p)] == []


def test_windowed_matching_equals_exhaustive_matching():
    detector = crisis.get_detector()
    filler = "we talked to the county about the petition and the hearing date. " * 40
    texts = [t for _, t in ALL_CRISIS] + NOT_CRISIS + DELIBERATE_CATCHES + [t for _, _, ts in CHECK_CASES.values() for t in ts]
    for text in texts:
        for padded in (text, filler + text + " " + filler):
            assert detector.scan(padded) == detector.scan(padded, exhaustive=True), padded


def _write_patterns(tmp_path, family_patch):
    data = {"version": 1, "exclude": ["hold"], "families": [
        {"id": "x", "category": "suicide", "language": "en", "phrases": ["i want to die"], **family_patch}]}
    path = tmp_path / "patterns.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("patch", [
    {"token_patterns": [[{"LEMMA": "die"}]]},          # no lemmatizer in a blank pipeline
    {"token_patterns": [[{"LOWER": "don't"}]]},         # not normalised ("do", "not")
    {"token_patterns": [[{"LOWER": {"IN": ["gonna"]}}]]},
    {"category": "sadness"},
    {"language": "fr"},
    {"phrases": [None]},
])
def test_bad_pattern_files_are_rejected_at_load(tmp_path, patch):
    with pytest.raises(crisis.PatternError):
        crisis.load_patterns(_write_patterns(tmp_path, patch))


def test_custom_pattern_file_and_shared_vocab(tmp_path):
    import spacy

    path = _write_patterns(tmp_path, {"token_patterns": [[{"LOWER": "end"}, {"LOWER": "it"}]]})
    nlp = spacy.blank("en")
    detector = crisis.CrisisDetector(nlp, path=path)
    assert detector.nlp is nlp
    assert detector.detect("I WANT TO DIE").category == "suicide"
    assert detector.detect("i will end it").text == "end it"
    assert detector.detect("hold") is None


@pytest.mark.parametrize("shared", ["language", "vocab"])
def test_detect_can_share_a_pipeline(shared):
    import spacy

    nlp = spacy.blank("en")
    arg = nlp if shared == "language" else nlp.vocab
    assert crisis.detect("i want to die", nlp=arg).category == "suicide"
    assert crisis.detect("what is the 72-hour hold", nlp=arg) is None
    assert crisis.get_detector(arg) is crisis.get_detector(arg)  # built once


def test_detector_is_a_lazy_singleton():
    assert crisis.get_detector() is crisis.get_detector()


# --------------------------------------------------------------------------- robustness

@pytest.mark.parametrize("text", [
    "", " ", "\n\t  \r\n", "\x00\x01\x02\x7f\x9f", "😀" * 200, "🙂🔪", "\ud800", "\udfff abc \ud800",
    "a" * 20_000, "die " * 5_000, "\u200b" * 500, "\u202e\u2066 rtl \u2069", "...!!!???", "ü" * 1000,
    "k\u0301ms",  # combining accent on k
    "🏳️‍🌈 what is AOT",
])
def test_never_crashes_on_odd_input(text):
    result = crisis.detect(text)
    assert result is None or isinstance(result, crisis.CrisisMatch)


@pytest.mark.parametrize("value", [None, 42, b"i want to die", ["i want to die"]])
def test_non_strings_give_none(value):
    assert crisis.detect(value) is None


def test_surrogates_around_a_crisis_phrase():
    assert crisis.detect("\ud800 i want to die \udfff").category == "suicide"


def test_huge_message_is_chunked_and_still_caught():
    text = ("the hearing is next week " * 6000) + "i want to die"   # 150,000 chars: several chunks
    assert len(text) > 3 * crisis.CHUNK_CHARS
    assert crisis.detect(text).category == "suicide"


# Speed (per message, and a 20,000-character message) is measured by scripts/crisis_report.py,
# which prints it beside the recall figures: a benchmark, not a timed unit test.


def test_normalize_examples():
    n = crisis.normalize
    assert n("I\u2019M  NOT safe") == "i am not safe"
    assert n("dont") == "do not" and n("can't") == "cannot" and n("gonna") == "going to"
    assert n("hacerme da\u00f1o") == "hacerme dano"
    assert n("kill my self") == "kill myself" and n("killmyself") == "kill myself"
    assert n("want 2 die") == "want to die"
    assert n("72-hour hold") == "72 hour hold"
    assert crisis.variants(n("i want to dieeee")) == ["i want to diee", "i want to die"]


# --------------------------------------------------------------------------- Rasa component

@pytest.fixture(scope="module")
def override(tmp_path_factory):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.rasa_components import CrisisOverride

    return CrisisOverride.create(CrisisOverride.get_default_config(), LocalModelStorage(tmp_path_factory.mktemp("storage")),
                                 Resource("crisis_override"), ExecutionContext(GraphSchema({}), "test"))


def _message(text, intent=None, ranking=None):
    from rasa.shared.nlu.training_data.message import Message

    data = {"text": text}
    if intent is not None:
        data["intent"] = intent
    if ranking is not None:
        data["intent_ranking"] = ranking
    return Message(data=data)


FALLBACK = {"name": "nlu_fallback", "confidence": 0.45}
RANKING = [FALLBACK, {"name": "ask_lawyer", "confidence": 0.31}, {"name": "crisis", "confidence": 0.29}]


def test_override_turns_fallback_into_crisis(override):
    message = _message("idk anymore, honestly i want to die", FALLBACK, copy.deepcopy(RANKING))
    [out] = override.process([message])
    assert out.get("intent") == {"name": "crisis", "confidence": 1.0}
    ranking = out.get("intent_ranking")
    assert ranking[0] == {"name": "crisis", "confidence": 1.0}
    assert [r["name"] for r in ranking] == ["crisis", "nlu_fallback", "ask_lawyer"]  # no duplicate
    assert out.get("crisis_category") == "suicide"
    assert out.get("crisis")["text"] == "i want to die"
    parsed = out.as_dict(only_output_properties=True)  # what Rasa puts in the parse result
    assert parsed["intent"]["name"] == "crisis" and parsed["crisis_category"] == "suicide"


@pytest.mark.parametrize("text, category", [
    ("he has a knife", "harm_others"), ("me quiero morir", "suicide"), ("i'm not safe", "danger_now"),
])
def test_override_beats_a_confident_wrong_intent(override, text, category):
    [out] = override.process([_message(text, {"name": "ask_lawyer", "confidence": 0.97},
                                       [{"name": "ask_lawyer", "confidence": 0.97}])])
    assert out.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert out.get("crisis_category") == category


def test_override_keeps_non_crisis_intent(override):
    intent = {"name": "ask_compare_5150", "confidence": 0.88}
    ranking = [intent, {"name": "ask_what_is_aot", "confidence": 0.07}]
    message = _message("what is the 72-hour hold", copy.deepcopy(intent), copy.deepcopy(ranking))
    before = copy.deepcopy(message.data)
    [out] = override.process([message])
    assert out.data == before
    assert out.get("crisis_category") is None


def test_override_leaves_fallback_alone_when_not_a_crisis(override):
    [out] = override.process([_message("the deadline is friday", FALLBACK, [FALLBACK])])
    assert out.get("intent") == FALLBACK


def test_override_handles_missing_intent_and_text(override):
    [a, b, c] = override.process([_message("kms"), _message(None), _message("")])
    assert a.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert a.get("intent_ranking") == [{"name": "crisis", "confidence": 1.0}]
    assert b.get("intent") is None and c.get("intent") is None


def test_override_survives_a_detector_error(override, monkeypatch):
    def boom(_text):
        raise RuntimeError("broken")

    monkeypatch.setattr(crisis, "assess", boom)
    [out] = override.process([_message("i want to die", FALLBACK, [FALLBACK])])
    assert out.get("intent") == FALLBACK


def test_fallback_classifier_then_override(override):
    """The pipeline order in config.yml: FallbackClassifier, then CrisisOverride."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    fallback = FallbackClassifier({"threshold": 0.45, "ambiguity_threshold": 0.08})
    low = {"name": "ask_eligibility", "confidence": 0.2}
    message = _message("i dont want to be here anymore", low, [low, {"name": "crisis", "confidence": 0.18}])
    out = override.process(fallback.process([message]))[0]
    assert out.get("intent") == {"name": "crisis", "confidence": 1.0}
    calm = _message("what does gravely disabled mean", copy.deepcopy(low), [copy.deepcopy(low)])
    assert override.process(fallback.process([calm]))[0].get("intent")["name"] == "nlu_fallback"


def test_override_passes_training_data_through(override):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([_message("i want to die", "greet")])  # training data: intent is a str
    assert override.process_training_data(data) is data
    assert data.training_examples[0].get("intent") == "greet"


def test_override_is_registered_as_untrained_intent_classifier():
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    from bot.rasa_components import CrisisOverride

    registered = DefaultV1Recipe._registered_components["CrisisOverride"]
    assert registered.clazz is CrisisOverride and not registered.is_trainable
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types


def test_config_runs_override_last():
    config_path = ROOT / "config.yml"
    if not config_path.exists():
        pytest.skip("no config.yml")
    names = [c["name"] for c in yaml.safe_load(config_path.read_text())["pipeline"]]
    assert names[-1] == "bot.rasa_components.CrisisOverride"
    assert names.index("FallbackClassifier") < names.index("bot.rasa_components.CrisisOverride")
