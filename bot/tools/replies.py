"""Read short replies, in English or Spanish: yes / no / not sure, who a question is
about, which state, and "stop". Both languages are read whatever the turn's language
(people mix them, and the Spanish buttons send English payloads). These are the words
people type, matched and never shown; what the tool says back is content/tools.yml.
"""
from __future__ import annotations

import re

from bot import states
from bot.tools.dates import plain

_UNSURE = re.compile(
    r"\b(not sure|unsure|not certain|don'?t know|dont know|do not know|idk|no idea|maybe|"
    r"i think so|i guess|possibly|hard to say|"
    r"no sé|no lo s[eé]|ni idea|no tengo idea|tal vez|talvez|quiz[aá]s?|puede ser|a lo mejor|"
    r"no estoy segur[oa]|creo que s[ií]|creo que no|depende)\b"
    # "no se" without its accent is "I don't know" only on its own or before "si", "bien"...:
    # "no se ha internado" is a no.
    r"|\bno se(?=$|[ ,;]+(si|bien|nada|la verdad|exactamente)\b|[,;])|^(nose|no c|nse)$")
_YES = re.compile(r"^(yes|yeah|yea|yep|yup|ya(?! no\b)|y|sure|correct|true|right|definitely|"
                  r"of course|absolutely|s[ií]|sip|claro|as[ií] es|correcto|cierto|exacto|"
                  r"por supuesto|efectivamente|afirmativo|he is|she is|they are|i am|i do|he does|"
                  r"she does|they do|he has|she has|they have|i have|it is|it was|he was|she was)\b")
_NO = re.compile(r"^(no|nope|nah|n|not really|never|false|not at all|he isn'?t|she isn'?t|"
                 r"they aren'?t|i'?m not|i am not|i don'?t|he doesn'?t|she doesn'?t|"
                 r"they don'?t|he hasn'?t|she hasn'?t|i haven'?t|he wasn'?t|she wasn'?t|"
                 r"nop|nel|para nada|nunca|jam[aá]s|negativo|todav[ií]a no|a[uú]n no|tampoco)\b")


def _clean(text: str) -> str:
    low = (text or "").lower().replace("’", "'")
    return re.sub(r"\s+", " ", low).strip(" .!?,¿¡")


def yes_no(text: str) -> str | None:
    """'yes', 'no', 'unsure', or None when the reply is none of these."""
    low = _clean(text)
    if _UNSURE.search(low):
        return "unsure"
    if _NO.search(low):
        return "no"
    if _YES.search(low):
        return "yes"
    return None


# The words for a relation -> its key in content/tools.yml eligibility.relations
# (where the words the tool says back live, in each language).
RELATIONS = {r: r for r in (
    "son", "daughter", "brother", "sister", "mother", "mom", "father", "dad",
    "husband", "wife", "partner", "boyfriend", "girlfriend", "fiance", "fiancee",
    "child", "kid", "stepson", "stepdaughter", "grandson", "granddaughter", "grandchild",
    "nephew", "niece", "cousin", "uncle", "aunt", "grandmother", "grandfather",
    "friend", "roommate", "client", "patient", "neighbor")}
RELATIONS |= {"mum": "mom", "loved one": "loved_one", "family member": "family_member"}
# Spanish, without accents (the reply is read without them).
RELATIONS_ES = {
    "hijo": "son", "hija": "daughter", "nino": "son", "nina": "daughter", "muchacho": "son",
    "muchacha": "daughter", "hermano": "brother", "hermana": "sister", "madre": "mother",
    "mama": "mom", "mami": "mom", "padre": "father", "papa": "dad", "papi": "dad",
    "esposo": "husband", "marido": "husband", "esposa": "wife", "mujer": "wife",
    "pareja": "partner", "novio": "boyfriend", "novia": "girlfriend", "prometido": "fiance",
    "prometida": "fiancee", "hijastro": "stepson", "hijastra": "stepdaughter",
    "nieto": "grandson", "nieta": "granddaughter", "sobrino": "nephew", "sobrina": "niece",
    "primo": "cousin", "prima": "cousin_f", "tio": "uncle", "tia": "aunt",
    "abuela": "grandmother", "abuelo": "grandfather", "amigo": "friend", "amiga": "friend_f",
    "companero de cuarto": "roommate", "companera de cuarto": "roommate_f",
    "roomie": "roommate", "cliente": "client", "clienta": "client", "paciente": "patient",
    "vecino": "neighbor", "vecina": "neighbor_f", "ser querido": "loved_one",
    "familiar": "family_member", "pariente": "family_member",
}


def _alts(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MY_RELATION = re.compile(rf"\b(?:my|our)\s+(?:adult\s+|older\s+|younger\s+|little\s+|twin\s+)?"
                          rf"({_alts(RELATIONS)})s?\b")
_MY_RELATION_ES = re.compile(rf"\b(?:mi|mis|nuestro|nuestra|nuestros|nuestras)\s+"
                             rf"({_alts(RELATIONS_ES)})(?:s|es)?\b")
_SELF = re.compile(r"^(me|myself|i|for me|about me|me myself)$|\b(do i|would i|can i|am i|could i|"
                   r"i qualify|i meet|about me|for me|myself)\b"
                   r"|^(yo|mi|a mi|de mi|para mi|sobre mi|por mi|soy yo|yo mismo|yo misma)$"
                   r"|\b(califico|calificaria|puedo calificar|yo mismo|yo misma)\b"
                   r"|\b(para|sobre) mi\b(?! [a-z])")  # "para mí", not "para mi jefe"
_SOMEONE = re.compile(r"\b(someone else|somebody else|someone|somebody|another person|other person|"
                      r"a relative|a family member|a person|"
                      r"otra persona|alguien mas|alguien|una persona|un familiar|un pariente)\b")


def who(text: str) -> tuple[str, str] | None:
    """('self', 'self'), ('other', 'son') (a key of content/tools.yml eligibility.relations)
    or ('other', 'someone'); None when unclear.

    A relation named in the text wins over "I" ("can I get my son checked" is about the son).
    """
    low = plain(_clean(text))
    m = _MY_RELATION.search(low)
    if m:
        return ("other", RELATIONS[m.group(1)])
    m = _MY_RELATION_ES.search(low)
    if m:
        return ("other", RELATIONS_ES[m.group(1)])
    if _SELF.search(low):
        return ("self", "self")
    if _SOMEONE.search(low):
        return ("other", "someone")
    return None


def state(text: str) -> str | None:
    """The state a reply names (the words are bot/states.py's)."""
    return states.from_reply(plain(_clean(text)))


_STOP = re.compile(r"^(stop|stop it|stop please|please stop|cancel|quit|exit|end|enough|"
                   r"never ?mind|nevermind|forget it|no more|stop the questions|"
                   r"stop asking|i want to stop|can we stop|let'?s stop|"
                   r"para|pare|parar|paremos|detente|detener|alto|basta|ya basta|ya no|ya no mas|"
                   r"cancela|cancelar|salir|olvidalo|olvidelo|no mas preguntas|ya no quiero|"
                   r"no quiero seguir|no quiero continuar|ya no quiero seguir|dejalo|dejemoslo|"
                   r"mejor no|suficiente)$")


_STOP_WORDS = re.compile(r"\b(stop|stahp|quit|cancel|exit|enough|forget it|never ?mind|nevermind|"
                         r"no more|don'?t want to (do|answer|continue|keep)|changed my mind|drop (this|it)|"
                         r"parar|paremos|detente|basta|cancela|cancelar|olvidalo|olvidelo|"
                         r"no quiero (seguir|continuar|contestar|responder)|ya no quiero|"
                         r"cambie de opinion|no mas preguntas|dejemoslo)\b")


def is_stop(text: str) -> bool:
    """A plain "stop" (or "cancel", "never mind", "parar", "ya no"...) on its own."""
    return bool(_STOP.match(plain(_clean(text))))


def wants_to_stop(text: str) -> bool:
    """A reply that is not an answer but mentions stopping ("I changed my mind, stop
    going through the criteria"). Only asked after the reply failed to read as an answer."""
    return bool(_STOP_WORDS.search(plain(_clean(text))))
