"""Words of German and English text for the matching engine. Pure functions, no Django.

- Lemmas come from simplemma in the text's language ("Öfen" → "ofen", "kilns" → "kiln"), so
  English is never stemmed as German.
- German compounds are split by charsplit-fst into their parts; the whole word stays the main
  term, the parts count half ("Stahlknüppel" → stahlknüppel, stahl ½, knüppel ½).
- A word's weight is its inverse frequency in general language (wordfreq's Zipf scale), not
  in the portal's texts: a new word has a weight the moment it is written, and the weight of
  one pair never depends on the other texts in the database (no vocabulary to go stale).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import simplemma
from charsplit_fst import Splitter
from wordfreq import zipf_frequency

from matchmaking.stop_words import STOP_WORDS

LANGUAGES = ("de", "en")
MAX_ZIPF = 7.0  # "und", "the": weight 0
UNKNOWN_ZIPF = 1.0  # words wordfreq does not know (domain terms, compounds) weigh most
PART_WEIGHT = 0.5
MIN_PART_LENGTH = 4
MIN_SPLIT_SCORE = -1.5  # charsplit's log-probability score of a split
MIN_PART_ZIPF = 2.5  # a part must be a word of the language

_TOKEN = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@lru_cache(maxsize=1)
def _splitter() -> Splitter:
    return Splitter()


def words(text: str) -> list[str]:
    """Lower-case words of at least two letters (digits and punctuation split words)."""
    return _TOKEN.findall(text.lower())


def _surface_words(text: str) -> list[str]:
    return _TOKEN.findall(text)


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """The lower-case lemma of a word as written (German nouns are looked up capitalised)."""
    return simplemma.lemmatize(word, lang=language if language in LANGUAGES else "de").lower()


def _known(part: str) -> bool:
    return zipf_frequency(part.lower(), "de") >= MIN_PART_ZIPF


def _base_form(word: str) -> str:
    """The lemma, unless the word as written is the more common form ("Knüppel" stays,
    although simplemma also knows the verb "knüppeln")."""
    base = lemma(word.capitalize(), "de")
    if zipf_frequency(word.lower(), "de") >= zipf_frequency(base, "de"):
        return word.lower()
    return base


def _without_linking_s(head: str) -> str:
    """ "Hochspannungs" → "Hochspannung" (the Fugen-s of "Hochspannungslabor")."""
    if head.endswith("s") and not _known(head) and _known(head[:-1]):
        return head[:-1]
    return head


@lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The lower-case parts of a German compound that are words themselves, the head last
    and lemmatised ("Stahlknüppeln" → stahl, knüppel; "Wasserstoffdirektreduktion" →
    wasser, stoff, wasserstoff, direkt, reduktion), or () if it is not one. A split is taken
    only when charsplit finds it likely and each part is a known word or itself a compound."""
    if len(word) < 2 * MIN_PART_LENGTH:
        return ()
    for score, head, tail in _splitter().split_compound(word.capitalize())[:2]:
        head = _without_linking_s(head)
        if score < MIN_SPLIT_SCORE or min(len(head), len(tail)) < MIN_PART_LENGTH:
            continue
        head_parts, tail_parts = compound_parts(head), compound_parts(tail)
        if not (_known(head) or head_parts) or not (_known(tail) or tail_parts):
            continue
        tail_lemma = _base_form(tail)
        return (
            *head_parts,
            *([head.lower()] if _known(head) else []),
            *tail_parts,
            *([tail_lemma] if _known(tail) else []),
        )
    return ()


@lru_cache(maxsize=200_000)
def weight(term: str, language: str) -> float:
    """Inverse general-language frequency, 0 (very common) … 1 (rare or unknown)."""
    zipf = max(zipf_frequency(term, "de"), zipf_frequency(term, "en")) if language else 0.0
    zipf = zipf or UNKNOWN_ZIPF
    return max(0.0, min(1.0, (MAX_ZIPF - zipf) / (MAX_ZIPF - UNKNOWN_ZIPF)))


def terms(text: str, language: str) -> Counter[str]:
    """Term counts of `text`: lemmas without stop words, plus German compound parts (each
    counted PART_WEIGHT)."""
    counts: Counter[str] = Counter()
    for word in _surface_words(text):
        if word.lower() in STOP_WORDS:
            continue
        base = lemma(word, language)
        if base in STOP_WORDS:
            continue
        counts[base] += 1.0
        if language == "de":
            for part in compound_parts(word):
                if part not in STOP_WORDS:
                    counts[part] += PART_WEIGHT
    return counts


def heads(text: str, language: str) -> list[str]:
    """Each word's lemma and, for a German compound, its head (last part): "Batteriespeicher"
    is a Speicher, "Stahlknüppel" a Knüppel (not steel as a material)."""
    found = []
    for word in _surface_words(text):
        base = lemma(word, language)
        found.append(base)
        if language == "de":
            parts = compound_parts(word)
            if parts:
                found.append(parts[-1])
    return found


def sentences(text: str, *, limit: int = 8, max_length: int = 300) -> list[str]:
    """Up to `limit` non-trivial sentences of `text`, each cut to `max_length` characters."""
    found = []
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if len(words(sentence)) >= 2:
            found.append(sentence[:max_length])
        if len(found) == limit:
            break
    return found


def clean(text: str) -> str:
    """Control characters out (tab and newline become spaces), whitespace collapsed."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
