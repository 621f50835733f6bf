"""Accent folding, the one place the product strips diacritics from text.

Spanish names and messages arrive with or without accents ("Mejía",
"mejia"); every accent-insensitive comparison folds both sides with the same
function.
"""

from __future__ import annotations

import unicodedata


def fold_accents(text: str, *, ascii_only: bool = False) -> str:
    """The text without diacritics: "Mejía Núñez" -> "Mejia Nunez".

    Compatibility decomposition (NFKD) splits accented letters and ligatures
    ("ﬁ" -> "fi") and the combining marks are dropped; case is kept, so callers
    lower-case (or casefold) first when they need it.

    Args:
        text: Any text.
        ascii_only: Also drop every other non-ASCII character (emoji, "¿",
            "ß", "ø"), leaving plain ASCII.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    if ascii_only:
        return decomposed.encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in decomposed if not unicodedata.combining(c))
