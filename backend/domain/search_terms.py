"""What a chat-history search means, and how a found message is shown.

Staff type a few words; a message matches when every word is found in it,
accents and capitals ignored. Words of three letters or more also match as
the start of a longer word ("atropell" finds "atropellado", "vacun" finds
"vacunación"); shorter ones ("de", "5") match whole words only, or they
would match nearly everything. A longer word first loses the ending that
Spanish inflects (a plural "s", then a final a/e/o), so "atropello" finds
"atropellado" and "perros" finds "perra" ("atropellado" keeps its "d" and
still does not find "atropellaron").

The same meaning is written three ways: a PostgreSQL tsquery, an SQLite FTS5
query, and `matches` in Python (which picks the words to highlight and is the
reference the tests hold both databases to).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from backend.domain.text import fold_accents

MAX_TERMS = 8
PREFIX_FROM = 3
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One searched word, folded (lower case, no accents)."""

    text: str
    prefix: bool

    def finds(self, folded_word: str) -> bool:
        return folded_word.startswith(self.text) if self.prefix else folded_word == self.text


_WORD_CATEGORIES = frozenset({"Ll", "Lu", "Lt", "Lo", "Nd"})


def _fold(text: str) -> str:
    """Lower case without accents; any other character (modifier letters such as "ʼ",
    which PostgreSQL's unaccent turns into quotes) separates words."""
    folded = fold_accents(text.lower())
    return "".join(
        c if c.isascii() or unicodedata.category(c) in _WORD_CATEGORIES else " " for c in folded
    )


STEM_FROM = 5
"""Words this long or longer are searched by their stem (`stem`)."""


def stem(word: str) -> str:
    """A folded word without its inflected Spanish ending: the plural "s" of "-as/-es/-os",
    then a final "a", "e" or "o"; never shorter than four letters, digits left alone."""
    if len(word) < STEM_FROM or not word.isalpha():
        return word
    if word[-1] == "s" and word[-2] in "aeo":
        word = word[:-1]
    if word[-1] in "aeo" and len(word) - 1 >= STEM_FROM - 1:
        word = word[:-1]
    return word


def search_terms(query: str) -> list[Term]:
    """The words of a search box, at most eight, each once (as stems, see `stem`)."""
    terms: dict[str, Term] = {}
    for word in _TOKEN.findall(_fold(query)):
        key = stem(word)
        terms.setdefault(key, Term(key, prefix=len(word) >= PREFIX_FROM))
    return list(terms.values())[:MAX_TERMS]


def contains_pattern(text: str) -> str:
    """A LIKE pattern for "holds `text`", its wildcards escaped with a backslash."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def tsquery(terms: list[Term]) -> str:
    """PostgreSQL `to_tsquery` text: every term, prefixes marked `:*`."""
    return " & ".join(f"'{t.text}'{':*' if t.prefix else ''}" for t in terms)


def fts5_query(terms: list[Term]) -> str:
    """SQLite FTS5 MATCH text: every term as a quoted string, prefixes starred."""
    return " ".join(f'"{t.text}"{"*" if t.prefix else ""}' for t in terms)


def _found_spans(body: str, terms: list[Term]) -> list[tuple[int, int, Term]]:
    spans = []
    for token in _TOKEN.finditer(body):
        folded = _fold(token.group())
        for term in terms:
            if term.finds(folded):
                spans.append((token.start(), token.end(), term))
                break
    return spans


def matches(body: str, terms: list[Term]) -> bool:
    """Whether every term is found in the message."""
    found = {term for _, _, term in _found_spans(body, terms)}
    return bool(terms) and all(term in found for term in terms)


Snippet = tuple[tuple[str, bool], ...]
"""A message cut around its first match: (text, is_match) pieces in order."""


def snippet(body: str, terms: list[Term], *, width: int = 140) -> Snippet:
    """The part of the message around its first found word, found words marked.

    The cut falls on spaces and is marked with "…" where text was left out, so
    a list shows why a conversation matched without the whole message.
    """
    spans = _found_spans(body, terms)
    if not spans:
        text = body if len(body) <= width else body[:width].rsplit(" ", 1)[0] + "…"
        return ((text, False),) if text else ()
    first = spans[0][0]
    start = 0 if first < width // 3 else body.rfind(" ", 0, first - width // 3) + 1
    end = len(body) if len(body) - start <= width else body.find(" ", start + width)
    end = len(body) if end == -1 else end
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    cursor = start
    for span_start, span_end, _ in spans:
        if span_start < start or span_end > end:
            continue
        if span_start > cursor:
            pieces.append((body[cursor:span_start], False))
        pieces.append((body[span_start:span_end], True))
        cursor = span_end
    if end > cursor:
        pieces.append((body[cursor:end], False))
    if end < len(body):
        pieces.append(("…", False))
    return tuple(pieces)
