"""Tokenising German and English text for the matching engine: lower case, stop words out,
Snowball stems. Pure functions, no Django."""

import re
from functools import lru_cache

import snowballstemmer

_GERMAN_STOP_WORDS_TEXT = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
anderes auch auf aus bei beim bin bis bist da damit dann das dass dem den denn der des
dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen
einer eines einige er es etwa etwas euer für gegen gibt hat hatte haben hier hin hinter ich
ihr ihre ihrem ihren im in ins ist jede jedem jeden jeder jedes jetzt kann kein keine können
könnte machen man mehr mit muss müssen nach neben nicht noch nun nur ob oder ohne sehr sein
seine sich sie sind so soll sollen sowie über um und uns unser unsere unter viel vom von vor
war waren warum was weil welche welchen wenn wer werden wie wieder will wir wird wo wollen
wurde würde zu zum zur zwischen suchen sucht bieten bietet biete suche partner partnerin
partnern gesucht gerne insbesondere bereich bereichen rahmen gemeinsam neue neuen neuer
projekt projekte projekten unternehmen
"""
GERMAN_STOP_WORDS = frozenset(_GERMAN_STOP_WORDS_TEXT.split())

_ENGLISH_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its itself just
me more most my no nor not now of off on once only or other our ours out over own same she
should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with
would you your yours offer offers offering seek seeking seeks looking partner partners
especially area areas together new project projects company companies want wanted
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS_TEXT.split())

STOP_WORDS = GERMAN_STOP_WORDS | ENGLISH_STOP_WORDS

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMERS = {"de": "german", "en": "english"}


class _CachedStemmer:
    """Snowball is pure Python; a text corpus repeats its words, so remember the stems."""

    def __init__(self, language: str):
        self._stemmer = snowballstemmer.stemmer(_STEMMERS.get(language, "german"))
        self._cache: dict[str, str] = {}

    def stemWord(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            stem = self._cache[word] = self._stemmer.stemWord(word)
        return stem


@lru_cache(maxsize=2)
def _stemmer(language: str) -> _CachedStemmer:
    return _CachedStemmer(language)


def words(text: str) -> list[str]:
    """Lower-case words of at least two characters (hyphenated words are split)."""
    return [w for w in _TOKEN.findall(text.lower()) if len(w) > 1]


def tokenize(text: str, language: str = "de") -> list[str]:
    """Stemmed content words of `text` in `language` ("de" or "en"), stop words removed."""
    stemmer = _stemmer(language)
    return [stemmer.stemWord(w) for w in words(text) if w not in STOP_WORDS and not w.isdigit()]


def tokenize_with_surface(text: str, language: str = "de") -> dict[str, str]:
    """Stem → the first word it came from, to show readable shared terms in explanations."""
    stemmer = _stemmer(language)
    surface: dict[str, str] = {}
    for word in _TOKEN.findall(text):
        lower = word.lower()
        if len(lower) > 1 and lower not in STOP_WORDS and not lower.isdigit():
            surface.setdefault(stemmer.stemWord(lower), word)
    return surface


def find_concepts(text: str, concept_terms: dict[int, list[str]]) -> set[int]:
    """Concepts whose name or synonym occurs in the text.

    Terms of five or more characters also count inside a German compound ("Speicher" in
    "Batteriespeicher"); shorter ones (H2, PEM, KI, RFID) only as whole words."""
    lower = text.lower()
    tokens = set(words(lower))
    found = set()
    for concept_id, terms in concept_terms.items():
        for term in terms:
            term = term.lower().strip()
            if not term:
                continue
            if len(term) >= 5:
                if term in lower:
                    found.add(concept_id)
                    break
            elif " " not in term and term in tokens:
                found.add(concept_id)
                break
    return found
