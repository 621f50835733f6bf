"""What a chat search matches, and how the found message is cut and marked."""

from __future__ import annotations

from backend.domain.search_terms import (
    Term,
    fts5_query,
    matches,
    search_terms,
    snippet,
    tsquery,
)


def test_words_are_folded_deduplicated_and_short_ones_are_whole_words():
    assert search_terms("¿Vacunación de LUNA, luna?") == [
        Term("vacunacion", prefix=True),
        Term("de", prefix=False),
        Term("luna", prefix=True),
    ]
    assert search_terms("!!! 😊 ¿?") == []
    assert len(search_terms(" ".join(f"palabra{i}" for i in range(20)))) == 8


def test_a_word_of_three_letters_or_more_finds_longer_words_that_start_with_it():
    assert matches("Mi perro fue ATROPELLADO ayer", search_terms("atropell"))
    assert matches("la vacunación de Toby", search_terms("vacuna toby"))
    assert not matches("lo atropellaron", search_terms("atropellado"))
    assert not matches("desde el martes", search_terms("de"))
    assert matches("cita de control", search_terms("de"))


def test_every_word_must_be_in_the_same_message():
    assert matches("perro para mañana", search_terms("mañana perro"))
    assert not matches("perro para hoy", search_terms("mañana perro"))
    assert not matches("hola", [])


def test_database_queries_mark_prefixes_the_same_way():
    terms = search_terms("atropell de")
    assert tsquery(terms) == "'atropell':* & 'de'"
    assert fts5_query(terms) == '"atropell"* "de"'


def test_the_snippet_marks_every_found_word_and_keeps_the_text_around_it():
    body = "Hola, mi perro Toby está vomitando desde la mañana. ¿Pueden verlo hoy?"
    pieces = snippet(body, search_terms("vomit mañana"))
    assert "".join(text for text, _ in pieces) == body
    assert [text for text, found in pieces if found] == ["vomitando", "mañana"]


def test_a_long_message_is_cut_around_its_first_match_on_spaces():
    body = ("palabra " * 40) + "el gato fue atropellado en la calle " + ("texto " * 40)
    pieces = snippet(body.strip(), search_terms("atropellado"), width=80)
    text = "".join(t for t, _ in pieces)
    assert pieces[0] == ("…", False)
    assert pieces[-1] == ("…", False)
    assert "atropellado" in text
    assert len(text) <= 90
    assert all(not t.startswith("alabra") for t, _ in pieces)


def test_a_message_without_the_words_is_shown_from_its_start():
    assert snippet("hola " * 60, search_terms("gato"), width=20) == (
        ("hola hola hola hola…", False),
    )
    assert snippet("", search_terms("gato")) == ()


def test_a_spanish_word_finds_its_other_endings():
    assert matches("Mi gato fue atropellado", search_terms("atropello"))
    assert matches("dos perras y un gato", search_terms("perros gatos"))
    assert not matches("lo atropellaron", search_terms("atropellado"))
    assert search_terms("luna") == [Term("luna", prefix=True)]  # four letters stay whole
