"""Names and pets mentioned in a message ("soy Carlos", "mi gata Luna").

Works on the raw words, so names keep their accents and the capital letter
that tells a pet's name ("mi perro Max") from a verb ("mi perro tiene").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.domain.language.normalize import cache_short_texts, normalize

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+|[^\w\s]", re.UNICODE)

# Words that are never a person's or pet's name here: function words,
# greetings, answers, common verbs and the words of this domain. Given names
# that are also words (Luz, Rosa, Paz, Dolores, Pilar, Cruz...) stay out.
_NOT_A_NAME = frozenset(
    """
    a al ante con contra de del desde en entre hacia hasta para por segun sin
    sobre tras y e o u ni pero porque pues que quien como cuando donde cual
    el la lo los las un una unos unas mi mis tu tus su sus nuestro nuestra
    yo me te se le nos les usted ustedes ella ello ellos ellas este esta esto
    estos estas ese esa eso esos esas aqui ahi alla aca
    hola buenas buenos buen dia dias tarde tardes noche noches saludos hey
    gracias si no ok okay vale dale claro bueno bien mal muy mas menos ya
    tambien tampoco nada algo todo todos siempre nunca hoy manana ayer
    soy es son era fue estoy esta estan estaba tengo tiene tienen tenia
    quiero quiere queria quisiera necesito necesita busco llamo llama
    escribo escribe habla hablo puedo puede pueden podria voy va vamos
    come comio comiendo vomita vomito esta sigue anda hace hizo
    cita citas turno consulta hora precio cuanto cuesta vacuna vacunar
    agendar reservar cancelar cambiar urgente emergencia ayuda favor porfa
    perro perra perrito perrita gato gata gatito gatita mascota mascotas
    cachorro cachorra michi
    nuevo nueva cliente clienta dueno duena propietario propietaria mama papa
    senor senora senorita sr sra srta don dona doctor doctora dr dra
    veterinario veterinaria clinica persona alguien hijo hija esposo esposa
    lunes martes miercoles jueves viernes sabado domingo
    """.split()
)
_PARTICLES = frozenset({"de", "del", "la", "las", "los"})
_HONORIFICS = frozenset({"don", "dona", "sr", "sra", "srta", "senor", "senora"})
_INTRODUCERS = (
    ("a", "nombre", "de"),
    ("mi", "nombre", "es"),
    ("me", "llamo"),
    ("mi", "nombre"),
    ("te", "habla"),
    ("le", "habla"),
    ("les", "habla"),
    ("te", "escribe"),
    ("le", "escribe"),
    ("les", "escribe"),
    ("habla",),
    ("soy",),
    # a formal letter's signature: "Atentamente, Gilberto Ramírez", "Le saluda la señora Teresa"
    ("saluda", "atentamente"),
    ("atentamente",),
    ("cordialmente",),
    ("le", "saluda"),
    ("les", "saluda"),
    ("te", "saluda"),
)
_INTRODUCERS_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(i for i in _INTRODUCERS if i[0] == first) for first in {i[0] for i in _INTRODUCERS}
}
"""The introducers by their first word, in `_INTRODUCERS`' order (longest first where it matters)."""
_GREETING_WORDS = frozenset(
    {"hola", "buenas", "buenos", "buen", "dia", "dias", "tardes", "noches", "saludos"}
)
_MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class _Token:
    raw: str
    norm: str

    @property
    def is_word(self) -> bool:
        return self.raw[:1].isalpha()

    @property
    def is_capitalised(self) -> bool:
        return self.raw[:1].isupper()


@cache_short_texts
def _tokens(text: str) -> tuple[_Token, ...]:
    return tuple(_Token(raw, normalize(raw)) for raw in _TOKEN.findall(text))


def _title(word: str) -> str:
    parts = re.split(r"(['’-])", word)
    return "".join(part[:1].upper() + part[1:].lower() for part in parts)


def _format_name(words: list[_Token]) -> str:
    return " ".join(
        word.raw.lower() if word.norm in _PARTICLES else _title(word.raw) for word in words
    )


def _name_at(tokens: tuple[_Token, ...], start: int) -> list[_Token]:
    """Name words from `start`: up to four, particles only between names."""
    if start < len(tokens) and tokens[start].raw == ",":
        start += 1
    while start < len(tokens) and (
        tokens[start].norm in _HONORIFICS
        or (
            tokens[start].norm in ("el", "la")
            and start + 1 < len(tokens)
            and tokens[start + 1].norm in _HONORIFICS
        )
    ):
        start += 1
    words: list[_Token] = []
    index = start
    while index < len(tokens) and len(words) < _MAX_NAME_WORDS + 2:
        token = tokens[index]
        if not token.is_word:
            break
        if token.norm in _PARTICLES and words:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if (
                following is not None
                and following.is_word
                and (following.norm in _PARTICLES or following.norm not in _NOT_A_NAME)
            ):
                words.append(token)
                index += 1
                continue
            break
        if token.norm in _NOT_A_NAME or not token.norm:
            break
        words.append(token)
        index += 1
    while words and words[-1].norm in _PARTICLES:
        words.pop()
    real_words = [word for word in words if word.norm not in _PARTICLES]
    return words if 0 < len(real_words) <= _MAX_NAME_WORDS else []


def extract_client_name(text: str) -> str | None:
    """The client's name when they introduce themselves, title-cased.

    "me llamo Ana Pérez" -> "Ana Pérez", "soy Carlos" -> "Carlos",
    "mi nombre es María José" -> "María José"; "soy nuevo" -> None.
    """
    tokens = _tokens(text)
    norms = tuple(token.norm for token in tokens)
    for index, first in enumerate(norms):
        for introducer in _INTRODUCERS_BY_FIRST.get(first, ()):
            end = index + len(introducer)
            if norms[index:end] != introducer:
                continue
            start = end + 1 if end < len(tokens) and tokens[end].raw == ":" else end
            name = _name_at(tokens, start)
            if name:
                return _format_name(name)
    return None


def extract_name_reply(text: str) -> str | None:
    """A name given as a bare reply to "¿Cuál es tu nombre?", title-cased.

    "ana pérez" -> "Ana Pérez". Rejects what is clearly not a name: digits,
    long sentences, greetings, answers like "no" or "gracias".
    """
    introduced = extract_client_name(text)
    if introduced:
        return introduced
    tokens = list(_tokens(text))
    while tokens and (tokens[0].norm in _GREETING_WORDS or not tokens[0].is_word):
        tokens.pop(0)
    while tokens and not tokens[-1].is_word:
        if any(char.isdigit() for char in tokens[-1].raw):
            return None
        tokens.pop()
    if not tokens or any(not token.is_word for token in tokens):
        return None
    name = _name_at(tuple(tokens), 0)
    return _format_name(name) if len(name) == len(tokens) else None


@dataclass(frozen=True)
class PetMention:
    name: str | None
    species: str | None


_SPECIES = {
    **dict.fromkeys(
        (
            "perro perra perros perras perrito perrita perritos perritas perrita "
            "cachorro cachorra cachorros cachorrito cachorrita canino canina lomito"
        ).split(),
        "perro",
    ),
    **dict.fromkeys(
        (
            "gato gata gatos gatas gatito gatita gatitos gatitas gatico gatica "
            "michi michis minino minina felino felina"
        ).split(),
        "gato",
    ),
    **dict.fromkeys(
        (
            "ave aves pajaro pajarito pajaros loro lora loros perico perica "
            "periquito periquita canario canaria cotorra guacamaya cacatua "
            "agapornis ninfa"
        ).split(),
        "ave",
    ),
    # Breeds people name instead of the species ("tengo un caniche", "mi french").
    **dict.fromkeys(
        (
            "caniche poodle labrador chihuahua pug bulldog beagle husky pitbull pinscher "
            "schnauzer yorkie yorkshire salchicha dachshund golden rottweiler boxer doberman "
            "frenchie french pomerania shitzu maltes bichon pastor criollo mestizo"
        ).split(),
        "perro",
    ),
    **dict.fromkeys("siames persa angora".split(), "gato"),
    **dict.fromkeys("conejo coneja conejos conejito conejita".split(), "conejo"),
    **dict.fromkeys("hamster hamsters hamstercito".split(), "hamster"),
    **dict.fromkeys("cuy cuyo cuyito cobayo cobaya".split(), "cobayo"),
    **dict.fromkeys("huron hurona".split(), "huron"),
    **dict.fromkeys("tortuga tortugas tortuguita".split(), "tortuga"),
    **dict.fromkeys("pez peces pececito".split(), "pez"),
    **dict.fromkeys("iguana serpiente culebra lagarto gecko".split(), "reptil"),
}
_PET_WORDS = frozenset({"mascota", "mascotas", "mascotita"})
_NAMED = (("se", "llama"), ("llamado",), ("llamada",), ("de", "nombre"))


_USUAL_PET_NAMES = frozenset({"michi", "gordo", "gorda", "negro", "negra", "bebe"})
"""Words that are also common pet names when written with a capital after the species."""


def _pet_name_after(tokens: tuple[_Token, ...], index: int, *, lowercase_ok: bool) -> str | None:
    """A pet name starting at `index`: one or two capitalised non-words."""
    if index < len(tokens) and tokens[index].raw == ",":
        index += 1
    words: list[str] = []
    while index < len(tokens) and len(words) < 2:
        token = tokens[index]
        usual_name = token.is_capitalised and token.norm in _USUAL_PET_NAMES  # "mi gata Michi"
        if not token.is_word or (
            not usual_name and (token.norm in _NOT_A_NAME or token.norm in _SPECIES)
        ):
            break
        if not (token.is_capitalised or (lowercase_ok and not words)):
            break
        words.append(_title(token.raw))
        index += 1
    return " ".join(words) or None


_APPOSITION_LEADS = frozenset({"para", "de", "a", "es"})
_OWNED = frozenset({"mi", "nuestro", "nuestra"})


def _pet_name_before(tokens: tuple[_Token, ...], index: int) -> str | None:
    """A name set before its species: "para Pelusa, mi conejo nuevo"."""
    if index < 4 or tokens[index - 1].norm not in _OWNED or tokens[index - 2].raw != ",":
        return None
    candidate, lead = tokens[index - 3], tokens[index - 4]
    if lead.norm not in _APPOSITION_LEADS or not candidate.is_capitalised:
        return None
    if candidate.norm in _NOT_A_NAME or candidate.norm in _SPECIES:
        return None
    return _title(candidate.raw)


def extract_pet(text: str) -> PetMention | None:
    """The pet a message talks about: its name and normalised species.

    "para mi gata Luna" -> PetMention("Luna", "gato"); "mi perro" ->
    PetMention(None, "perro"); "mi perro tiene tos" -> no name. A name is a
    capitalised word right after the species word, or set before it ("para
    Pelusa, mi conejo"), or any word after "se llama".
    """
    tokens = _tokens(text)
    species: str | None = None
    name: str | None = None
    pet_seen = False
    for index, token in enumerate(tokens):
        if token.norm in _SPECIES or token.norm in _PET_WORDS:
            pet_seen = True
            species = species or _SPECIES.get(token.norm)
            name = (
                name
                or _pet_name_after(tokens, index + 1, lowercase_ok=False)
                or _pet_name_before(tokens, index)
            )
        elif pet_seen:
            # "se llama" names the pet only once a pet was mentioned; before
            # that it may be anyone ("mi esposa se llama Ana").
            for marker in _NAMED:
                end = index + len(marker)
                if tuple(t.norm for t in tokens[index:end]) == marker:
                    name = name or _pet_name_after(tokens, end, lowercase_ok=True)
        if species and name:
            break
    if species is None and name is None:
        return None
    return PetMention(name=name, species=species)
