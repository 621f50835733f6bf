import pytest

from backend.domain.language import (
    PetMention,
    extract_client_name,
    extract_name_reply,
    extract_pet,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me llamo Ana Pérez", "Ana Pérez"),
        ("soy Carlos", "Carlos"),
        ("mi nombre es María José", "María José"),
        ("Hola, soy Carlos y quiero una cita", "Carlos"),
        ("me llamo ana maria de la cruz, gracias", "Ana Maria de la Cruz"),
        ("Mi nombre: josé", "José"),
        ("Buenas, le escribe Rosa Díaz", "Rosa Díaz"),
    ],
)
def test_extract_client_name_from_introduction(text, expected):
    assert extract_client_name(text) == expected


@pytest.mark.parametrize(
    "text",
    ["soy nuevo cliente", "soy la mamá de Luna", "hola", "quiero una cita", "soy de Bogotá", ""],
)
def test_extract_client_name_none_without_a_name(text):
    assert extract_client_name(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ana Pérez", "Ana Pérez"),
        ("ana pérez", "Ana Pérez"),
        ("JUAN", "Juan"),
        ("Ana.", "Ana"),
        ("Hola, Ana", "Ana"),
        ("maría de los ángeles", "María de los Ángeles"),
        ("o'brien", "O'Brien"),
        ("me llamo Luz", "Luz"),
    ],
)
def test_extract_name_reply_accepts_a_bare_name(text, expected):
    assert extract_name_reply(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "buenos días",
        "123",
        "Ana 2",
        "no",
        "Sí",
        "gracias",
        "quiero una cita para mañana a las 9",
        "Pedro Pablo Pérez García López Díaz",
        "",
        "🐶",
    ],
)
def test_extract_name_reply_rejects_what_is_not_a_name(text):
    assert extract_name_reply(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("para mi gata Luna", PetMention("Luna", "gato")),
        ("mi perro Max", PetMention("Max", "perro")),
        ("mi perro", PetMention(None, "perro")),
        ("mi perro tiene tos", PetMention(None, "perro")),
        ("Mi Perro Tiene Tos", PetMention(None, "perro")),
        ("mi perrita Luna está enferma", PetMention("Luna", "perro")),
        ("mi perrito", PetMention(None, "perro")),
        ("mi michi", PetMention(None, "gato")),
        ("Mi perro, Max, vomita", PetMention("Max", "perro")),
        ("mi hámster Bolita", PetMention("Bolita", "hamster")),
        ("mi loro Pepe", PetMention("Pepe", "ave")),
        ("mi mascota se llama pelusa", PetMention("Pelusa", None)),
        ("Mi gato se comió veneno para ratas ayuda!!!", PetMention(None, "gato")),
    ],
)
def test_extract_pet(text, expected):
    assert extract_pet(text) == expected


@pytest.mark.parametrize("text", ["hola", "mi esposa se llama Ana", "para Luna", ""])
def test_extract_pet_none_without_a_pet(text):
    assert extract_pet(text) is None
