"""Spotting a possible emergency in a client's message (spec 5.1).

The rules are the spec's: any high sign gives confidence "high"; two
different medium keywords, or one with an exclamation mark, give "medium".
Detection only proposes: the conversation still asks the client to confirm
before anyone is alerted, so the lists lean towards catching too much. A
client who answers "no" gets a false alarm on record, though, so what the
client says is *not* happening must not raise the question.

Deviations from the spec's plain substring test, each to avoid a false alarm
or a miss:
- matching is on whole words, accent-, case- and spelling-insensitive
  ("convulcionando", "atropeyado", "bomita", "inchada" match), so "carro"
  does not fire inside "carrot" or "carroza" and "parto" not inside "apartó";
- feminine, plural and verb forms count ("atropellada", "convulsiona",
  "sangra"), reported under the spec's keyword;
- signs a vet triages as urgent are added beyond the spec's words, each with
  its category: collapse, choking, swallowed objects, toxic foods and human
  medicines, heat stroke, difficult birth, eye injuries, bloat, urinary
  blockage, venomous animals, burns and electric shock;
- negated or downplayed signs do not count: "no sangra", "sin convulsiones",
  "nunca ha tenido convulsiones", "ya dejó de sangrar", "no es urgente",
  "un poco de sangre". Negation reaches back a few words over words such as
  "está", "ha tenido" or "le", and never past "pero", "y", punctuation, a
  line break or any other word ("no come pero está convulsionando" is an
  emergency). Signs that are themselves negative ("no se levanta", "sin
  poder orinar", "no para de sangrar") are read as signs;
- a sign a week or more in the past, of a pet now recovered ("hace un mes lo
  atropellaron, ya está bien, quiero su control"), is history;
- blood tests ("examen de sangre"), a car as transport ("vamos en carro"),
  thanks for help and questions about the clinic's emergency service are not
  emergencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.domain.language.normalize import cache_short_texts, normalize
from backend.domain.text import fold_accents

POISONING = "poisoning"
TRAUMA = "trauma"
BREATHING = "breathing"
SEIZURES = "seizures"
BLEEDING = "bleeding"
BIRTH = "birth"
COLLAPSE = "collapse"
CHOKING = "choking"
FOREIGN_BODY = "foreign_body"
HEATSTROKE = "heatstroke"
EYE_INJURY = "eye_injury"
BLOAT = "bloat"
URINARY = "urinary"
ENVENOMATION = "envenomation"
BURNS = "burns"
ELECTRIC_SHOCK = "electric_shock"

# How the clinic's staff and the client read each category (alerts, portal).
CATEGORY_LABELS: dict[str, str] = {
    POISONING: "Intoxicación",
    TRAUMA: "Trauma / accidente",
    BREATHING: "Dificultad para respirar",
    SEIZURES: "Convulsiones",
    BLEEDING: "Sangrado",
    BIRTH: "Parto complicado",
    COLLAPSE: "Colapso / no se levanta",
    CHOKING: "Atragantamiento",
    FOREIGN_BODY: "Objeto tragado",
    HEATSTROKE: "Golpe de calor",
    EYE_INJURY: "Lesión en el ojo",
    BLOAT: "Abdomen hinchado (torsión)",
    URINARY: "No puede orinar",
    ENVENOMATION: "Animal venenoso",
    BURNS: "Quemadura",
    ELECTRIC_SHOCK: "Descarga eléctrica",
}

# Spec 5.1 lists, as written there (accents included).
EMERGENCY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "high": (
        "veneno",
        "envenenado",
        "envenenamiento",
        "atropellado",
        "atropelló",
        "carro",
        "no respira",
        "no puede respirar",
        "asfixia",
        "convulsión",
        "convulsionando",
        "convulsiones",
        "sangre",
        "sangrando",
        "hemorragia",
        "no se mueve",
        "inconsciente",
        "desmayado",
        "parto",
        "dando a luz",
        "no puede parir",
    ),
    "medium": (
        "urgente",
        "emergencia",
        "ayuda",
        "muy mal",
        "grave",
        "crítico",
        "vomitando sangre",
        "diarrea con sangre",
        "hinchado",
        "inflamado",
    ),
}


# --- Spelling -------------------------------------------------------------


def _fold(text: str) -> str:
    """Spelling-insensitive form of normalised text (and of the patterns).

    WhatsApp Spanish swaps letters that sound alike: "convulcion", "atropeyado",
    "bomita", "inchada", "sebolla". Both sides are folded the same way, so a
    pattern is written once in correct spelling. Only letters are rewritten;
    the regex syntax used by the patterns (\\b, \\w, groups, counts) has none
    of them.
    """
    text = text.replace("ch", "\x00").replace("h", "").replace("\x00", "ch")
    text = text.replace("ll", "y").replace("v", "b").replace("mb", "nb").replace("mp", "np")
    return text.replace("z", "s").replace("x", "s").replace("ce", "se").replace("ci", "si")


# Emoji that name the thing swallowed or seen ("se comió 🍫").
_EMOJI_WORDS = {
    "🍫": " chocolate ",
    "🍇": " uvas ",
    "🧅": " cebolla ",
    "🧄": " ajo ",
    "💊": " pastillas ",
    "🐍": " serpiente ",
    "🐸": " sapo ",
    "🩸": " sangre ",
    "🦴": " hueso ",
    "🧦": " media ",
    "🆘": " auxilio ",
}
_EMOJI = re.compile("|".join(map(re.escape, _EMOJI_WORDS)))
# Punctuation, emoji and line breaks end a clause: negation does not reach across them.
_CLAUSE_BREAK = re.compile(r"[^\w\s]+|_+|[\r\n]+")
_CLAUSE_MARK = "|"


def _clauses(text: str) -> str:
    """The message folded, its clauses joined by " | " (which no pattern crosses)."""
    text = _EMOJI.sub(lambda m: _EMOJI_WORDS[m.group(0)], text.casefold())
    parts = (_fold(normalize(part)) for part in _CLAUSE_BREAK.split(fold_accents(text)))
    return f" {_CLAUSE_MARK} ".join(part for part in parts if part)


# --- Signs ----------------------------------------------------------------


@dataclass(frozen=True)
class _Sign:
    keyword: str  # reported in matched_keywords (the spec's spelling for its words)
    category: str | None
    high: bool
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None  # a match overlapping this is not the sign
    requires: re.Pattern[str] | None  # the message must also say this
    self_negated: bool  # the sign is a negation ("no se levanta"): no cue is read before it
    minimizable: bool  # "un poco de", "leve" before it takes it back


def _compile(sources: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(_fold(s) for s in sources) + r")\b")


def _sign(
    keyword: str,
    category: str | None,
    *patterns: str,
    high: bool = True,
    unless: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
    negated: bool = False,
    minimizable: bool = False,
) -> _Sign:
    return _Sign(
        keyword=keyword,
        category=category,
        high=high,
        pattern=_compile(patterns),
        unless=_compile(unless) if unless else None,
        requires=_compile(requires) if requires else None,
        self_negated=negated,
        minimizable=minimizable,
    )


def _gap(words: int) -> str:
    """Up to `words` words, none of them one that turns or ends the sentence."""
    turn = r"(?:y|pero|aunque|porque|no|ni|sin|cuando|si|pues|ahora)\b"
    return rf"(?:(?!{turn})\w+ ){{0,{words}}}"


# The sign's own negation: "no se levanta", "ni se levanta", "sin poder orinar".
_NOT = r"(?:no|ni|tampoco|sin|ya no)"
_CAN = r"(?:puede|pudo|podia|poder|logra|ha podido)"
# "se acaba de comer unas uvas", "acaba de tragarse un hueso": just now, in the infinitive.
_JUST_ATE = (
    r"|(?:se )?(?:(?:le|lo|la) )?(?:acaba|acaban|acabo|acababa) de (?:comer|tragar|tomar|beber|"
    r"ingerir|lamer|masticar)(?:se|selo|sela|selos|selas)?"
)
# Swallowing, eating, drinking, licking; or someone giving it ("le di ibuprofeno").
_INGEST = (
    r"(?:(?:se )?(?:(?:lo|la|los|las|le|les) )?(?:(?:ha|han|habia|haya) )?"
    r"(?:comio|comido|comiendo|comia|trago|tragado|tragando|tragaba|ingirio|ingerio|ingerido"
    r"|ingiriendo|injirio|bebio|bebido|bebiendo|tomo|tomado|lamio|lamido|lamiendo|mastico"
    r"|masticado|masticando|mordio|mordido|mordisqueo|probo|zampo|robo|agarro)"
    r"|(?:le|les) (?:di|dio|dimos|dieron|daba|dado|he dado|ha dado|hemos dado|han dado"
    r"|estoy dando|estaba dando)" + _JUST_ATE + ")"
)
_SWALLOW = (
    r"(?:(?:se )?(?:(?:lo|la|los|las) )?(?:(?:ha|han|habia) )?"
    r"(?:comio|comido|trago|tragado|tragando|ingirio|ingerio|ingerido|injirio)" + _JUST_ATE + ")"
)
_RELATIVE = (
    r"(?:mi mama|mi papa|mi abuela|mi abuelo|mi esposo|mi esposa|mi hijo|mi hija|mi novio"
    r"|mi novia|mi hermano|mi hermana|mi suegra|mi suegro)"
)
_MEDS = r"(?:pastillas|pildoras|tabletas|capsulas|medicamentos|medicinas|remedios|pastas)"
_TOXIC = {
    "chocolate": r"(?:chocolates?|chocolatinas?|brownies?|cacao|bombon(?:es)?)",
    "uvas o pasas": r"(?:uvas?|uvitas|pasas|pasitas)",
    "cebolla o ajo": r"(?:cebollas?|cebollin|ajos?|puerro)",
    "xilitol": r"(?:xilitol|xylitol|chicles?|goma de mascar)",
    "nueces de macadamia": r"(?:macadamias?|nueces de macadamia)",
    "alcohol": r"(?:alcohol|cerveza|aguardiente|licor|tequila|pisco|whisky|vodka)",
    "cafeína": r"(?:cafeina|cafe molido|capsulas? de cafe|granos? de cafe"
    r"|bebidas? energeticas?|energizantes?|red ?bull)",
    "marihuana o drogas": r"(?:marihuana|cannabis|cocaina|porro)",
    "nicotina": r"(?:cigarros?|cigarrillos?|colillas?|tabaco|nicotina|vapeador|liquido de vapeo)",
    "planta tóxica": r"(?:lirios?|azucenas?|adelfas?|laurel rosa|cicas?|cycas|hongos|setas)",
    "sustancia tóxica": r"(?:algo toxico|algo toxica|algo venenoso|sustancia toxica)",
    "ibuprofeno": r"(?:ibuprofeno|advil|motrin)",
    "acetaminofén": r"(?:acetaminofen|acetaminofeno|paracetamol|tylenol|tempra|dolex|panadol)",
    "medicamento humano": r"(?:aspirinas?|acido acetilsalicilico|naproxeno|diclofenaco|voltaren"
    r"|ketorolaco|antidepresivos?|fluoxetina|sertralina|clonazepam|rivotril|alprazolam"
    r"|anticonceptiv[oa]s?|(?:pastillas?|pildoras?|tabletas?|capsulas?|medicamentos?"
    r"|medicinas?|remedios?) (?:de|para) (?:humanos?|personas|nosotros|"
    + _RELATIVE
    + r"|la presion|el dolor|dormir|el corazon|la tiroides|la diabetes|los nervios"
    r"|la depresion|la ansiedad|adelgazar|la gripa|la gripe))",
    "anticongelante": r"(?:anticongelante|refrigerante|liquido (?:de|del) (?:radiador|frenos))",
    "cloro o lejía": r"(?:lejia|lavandina|cloro|clorox|blanqueador|hipoclorito|soda caustica|destapacanos"
    r"|destapa canerias|acido muriatico|amoniaco)",
    "gasolina o solvente": r"(?:gasolina|diesel|acpm|thinner|tiner|varsol|kerosene|kerosen"
    r"|querosene|queroseno|creolina|formol|naftalina)",
    "insecticida": r"(?:insecticidas?|plaguicidas?|pesticidas?|herbicidas?|glifosato"
    r"|organofosforados?|baygon|raid|racumin|furadan|tres pasitos|metaldehido|matacaracoles"
    r"|matababosas|matahormigas|matacucarachas)",
}
# Someone's own medicines, by how they are named: "mis pastillas", "un frasco de pastillas".
_OWNERS_MEDS = (
    r"(?:(?:mis|tus|todas las|todas mis|varias|muchas|un monton de|un punado de"
    r"|(?:un|el) (?:frasco|blister|sobre|tarro|paquete) de|(?:una|la) (?:caja|tira) de) "
    + _MEDS
    + "|"
    + _MEDS
    + r" (?:de "
    + _RELATIVE
    + r"|(?:que )?(?:encontro|estaban|habia|deje|tenia|del piso"
    r"|del suelo|de la mesa|del cajon)))"
)
_OBJECTS = (
    r"(?:huesos?|huesitos?|espinas? de pescado|medias?|calcetin(?:es)?|calcetas?|juguetes?"
    r"|pelotas?|pelotitas?|bolitas?|canicas?|anzuelos?|agujas?|alfiler(?:es)?|hilos?"
    r"|hilo dental|cuerdas?|cordon(?:es)?|lana|elasticos?|ligas?|colets?|piedras?|piedritas?"
    r"|monedas?|pilas?|baterias?|imanes|iman|tapas?|tapitas?|tapon(?:es)?|corchos?|palos?"
    r"|palitos?|mazorcas?|tusas?|olotes?|marlos?|corontas?|chupetes?|chupon(?:es)?"
    r"|teteros?|peluches?|tela|trapos?|toallas?|bolsas?|plasticos?|envoltorios?"
    r"|papel aluminio|aretes?|anillos?|clavos?|tornillos?|vidrios?|cuchillas?|hojillas?"
    r"|mascarillas?|tapabocas|cubrebocas|panal(?:es)?|tampon(?:es)?|condon(?:es)?"
    r"|preservativos?|cuerpo extrano|objetos?|algo de plastico|algo de metal)"
)
_VEHICLE = (
    r"(?:carro|auto|coche|moto|motocicleta|camion|camioneta|bus|buseta|autobus|micro|combi"
    r"|colectivo|taxi|bicicleta|bici|tren|vehiculo|mototaxi|trailer|volqueta|tractor"
    r"|furgoneta|guagua)"
)
_BELLY = (
    r"(?:barriga|barriguita|panza|pancita|guata|guatita|estomago|estomaguito|abdomen|vientre"
    r"|tripa)"
)
_SWOLLEN = r"(?:hinchad[oa]|inflad[oa]|distendid[oa]|abultad[oa]|crecid[oa]|enorme)"
_SNAKE = (
    r"(?:culebras?|culebritas?|serpientes?|viboras?|coral|mapana|terciopelo|nauyaca|yarara"
    r"|cobra|jergon|shushupe|barba amarilla|cabeza de cobre|una cascabel)"
)
_EYE = r"(?:ojo|ojos|ojito|ojitos)"
_BABY = r"(?:cachorr\w*|gatit\w*|cri[ao]s?|bebes?|perrit\w*)"
_BIRTH_CONTEXT = (
    r"(?:" + _BABY + r"|parto|pariendo|parir|prenada|embarazada|contracciones|dar a luz"
    r"|dando a luz)"
)
_CAT_CONTEXT = r"(?:gato|gatito|michi|mishi|minino|caja|arenero|arena)"
_AT_HOME = r"(?:casa|alfombra|cama|sofa|arenero|caja|lugar|piso|patio|tapete|banos?)"
_EMERGENCY_SERVICE = (
    r"(?:atienden|atiende|tienen|tiene|hay|para|casos de) (?:\w+ )?(?:urgencias|emergencias)",
    r"(?:servicio|horario|horarios|numero|telefono|linea|sala|area|consulta|consultas|guardia)"
    r" de (?:urgencias?|emergencias?)",
    r"en caso de (?:\w+ )?(?:urgencia|emergencia)",
)

_SIGNS: tuple[_Sign, ...] = (
    # Spec 5.1, high.
    _sign(
        "veneno",
        POISONING,
        r"venenos?",
        unless=(
            r"(?:es|son) (?:un |muy )?venenos? para (?:los |las |un |una )?(?:perros?|gatos?"
            r"|mascotas?|animales)",
        ),
    ),
    _sign("envenenado", POISONING, r"envenenad[oa]s?|envenenaron|enveneno"),
    _sign("envenenamiento", POISONING, r"envenenamiento"),
    _sign("intoxicado", POISONING, r"intoxicad[oa]s?|intoxicacion|intoxico"),
    _sign("raticida", POISONING, r"raticidas?|rodenticidas?|matarratas|mata ratas"),
    _sign(
        "atropellado",
        TRAUMA,
        r"atrope(?:ll|l)(?:ado|ada|ados|adas|aron|aba|ando)",
        r"arrollad[oa]s?|arrollaron|arrollo",
    ),
    _sign("atropelló", TRAUMA, r"atrope(?:ll|l)o"),
    _sign(
        "carro",
        TRAUMA,
        r"carro",
        unless=(
            r"(?:en|al|del|de) (?:el |mi |un |su |nuestro |nuestra )?carro",
            r"(?:buscar|sacar|manejar|manejo|estacionar|parquear|traer|llevar|prestar|lavar"
            r"|tengo|tiene|tenemos|tienes) (?:el |mi |un |su )?carro",
        ),
    ),
    _sign(
        "no respira",
        BREATHING,
        r"no respira|no esta respirando|ya no respira|sin respirar|dejo de respirar"
        r"|no respiraba|paro respiratorio",
        negated=True,
        unless=(r"no respira (?:con|mal|raro|feo|agitad\w*|rapido|fuerte|por la boca)",),
    ),
    _sign("no puede respirar", BREATHING, _NOT + " " + _CAN + " respirar", negated=True),
    _sign(
        "asfixia",
        BREATHING,
        r"asfixia|asfixiando|asfixiad[oa]|asfixio|asfixiandose|se ahoga|se esta ahogando"
        r"|ahogandose|se ahogo|se estaba ahogando",
    ),
    _sign(
        "convulsión",
        SEIZURES,
        r"conv(?:u|ul|ol)s?i?on(?:a|an|o|aba|aban|ado|ada|ar|aron|ante)?|convulsiv[oa]s?",
    ),
    _sign("convulsionando", SEIZURES, r"conv(?:u|ul|ol)s?i?onando"),
    _sign("convulsiones", SEIZURES, r"conv(?:u|ul|ol)s?i?ones"),
    _sign(
        "sangre",
        BLEEDING,
        r"sangre",
        minimizable=True,
        unless=(
            r"(?:examen|examenes|analisis|prueba|pruebas|muestra|muestras|estudio|estudios"
            r"|perfil|panel|hemograma|quimica|toma|tipo|grupo|donante|donantes|donar|donacion"
            r"|banco) de sangre",
            r"(?:sacar|sacarle|saco|sacaron|sacamos|tomar|tomaron|tomarle) (?:\w+ )?sangre",
            r"pura sangre|sangre fria",
        ),
    ),
    _sign(
        "sangrando",
        BLEEDING,
        r"sangrando|sangra|sangro|sangran|sangrar|sangraba|sangrado|sangrados|desangra"
        r"|desangrando|desangrandose",
        minimizable=True,
    ),
    _sign("hemorragia", BLEEDING, r"hemorragias?"),
    _sign(
        "no se mueve",
        None,
        _NOT + r" se (?:puede )?(?:mueve|mover)|sin moverse|" + _NOT + " " + _CAN + " moverse",
        negated=True,
    ),
    _sign(
        "inconsciente",
        None,
        r"inconscientes?|perdio el conocimiento|perdio la conciencia",
        r"(?:esta|quedo|se quedo|como|anda) (?:como )?privad[oa]s?",  # CO: "está como privado"
    ),
    _sign("desmayado", None, r"desmayad[oa]s?|se desmayo|se desmaya|desmayo|desmayos"),
    _sign(
        "parto",
        BIRTH,
        r"parto|pariendo",
        unless=(
            r"(?:despues|antes|tras|desde) (?:de |del )?(?:su |el )?parto",
            r"post ?parto|para el parto|cuando (?:sea|llegue|venga) el parto",
            r"(?:tuvo|tuvieron) (?:su |el |un |sus )?(?:primer )?partos?",
            r"(?:control|preparacion|preparar\w*) (?:\w+ ){0,2}parto",
        ),
    ),
    _sign("dando a luz", BIRTH, r"dando a luz"),
    _sign("no puede parir", BIRTH, _NOT + " " + _CAN + " parir", negated=True),
    # Beyond the spec. Collapse: cannot stand or walk.
    _sign(
        "no se levanta",
        COLLAPSE,
        _NOT + r" (?:se (?:" + _CAN + r" )?(?:levanta|levanto|levantar|para|paro|parar|sostiene"
        r"|sostener|mantiene en pie|pone de pie|incorpora|incorporar)"
        r"|(?:" + _CAN + r" )?(?:levantarse|pararse|sostenerse|mantenerse en pie|ponerse de pie"
        r"|incorporarse))",
        _NOT + r" se (?:quiere|puede) ni (?:parar|levantar|mover)",
        negated=True,
        unless=(r"no se (?:para|parar) de",),
    ),
    _sign(
        "no puede caminar",
        COLLAPSE,
        _NOT + r" (?:" + _CAN + r" )?(?:camina|caminar|caminando)",
        _NOT + r" (?:" + _CAN + r" )?(?:mueve|mover|siente) (?:las |sus )?(?:patas|patitas"
        r"|piernas)",
        negated=True,
        unless=(
            r"camina(?:r)? (?:bien|mucho|normal|igual|como|tanto|rapido|lejos|derecho|recto"
            r"|muy)",
        ),
    ),
    _sign(
        "se desplomó",
        COLLAPSE,
        r"(?:se )?(?:desplomo|desploma|desplomad[oa]|derrumbo|colapso|colapsad[oa]|colapsando"
        r"|desvanecio|desvanece)",
    ),
    _sign(
        "parálisis",
        COLLAPSE,
        r"arrastra (?:\w+ ){0,2}(?:patas|patitas|piernas|cadera)"
        r"|arrastrando (?:las |sus )?(?:patas|patitas|piernas)",
        r"paralizad[oa]s?|paralisis|se (?:le )?paralizo|se (?:le )?paralizaron",
    ),
    _sign(
        "no reacciona",
        COLLAPSE,
        _NOT + r" reacciona|sin reaccionar|no responde a (?:nada|estimulos|su nombre)"
        r"|no responde (?:cuando|si) (?:lo|la) (?:llam\w*|toc\w*|mov\w*)",
        negated=True,
    ),
    _sign(
        "se está muriendo",
        COLLAPSE,
        r"se (?:esta|nos|me) (?:muriendo|muere)|muriendose|agonizando|agoniza|se va a morir",
    ),
    _sign(
        "paro cardíaco",
        COLLAPSE,
        r"ataque (?:cardiaco|al corazon)|infarto|paro cardiaco|paro cardiorrespiratorio",
    ),
    # Seizures and tremors.
    _sign(
        "ataques",
        SEIZURES,
        r"(?:le |les )?(?:dan|da|daban|dio|dieron|vino|vinieron|vienen|agarro|agarran"
        r"|esta dando|estan dando|ha dado|han dado|tuvo|tiene|tienen|tenia|sufre|sufrio)"
        r" (?:un |unos |otro |otros |una |varios |dos |tres )?ataques?",
        r"ataques? epileptic[oa]s?|crisis (?:epileptica|convulsiva)s?"
        r"|episodios? convulsiv[oa]s?",
        unless=(
            r"ataques? (?:de (?:tos|ansiedad|panico|nervios|celos|alergia|estornudos|risa"
            r"|hambre|locura|rabia|furia|agresividad|estres|miedo|asma|hipo)|al corazon"
            r"|cardiacos?|de corazon)",
        ),
    ),
    _sign(
        "temblores fuertes",
        SEIZURES,
        r"temblor(?:es)? (?:muy )?(?:fuertes?|intensos?|violentos?|horribles?|incontrolables?"
        r"|sin parar|que no (?:paran|para|se le quitan))",
        r"tiembla (?:muy |demasiado )?(?:fuerte|sin parar|descontroladamente"
        r"|(?:de )?todo el cuerpo|enter[oa]|como loc[oa])",
        r"(?:no (?:para|deja) de|sin parar de) temblar",
        r"(?:tiembla|temblando|temblor(?:es)?|tiritando|tembloros[oa]) "
        + _gap(3)
        + r"(?:y|con|mientras) "
        + _gap(2)
        + r"(?:babea|babeando|baba|babas|espuma|saliva|salivando|echa espuma)",
        r"(?:babea|babeando|salivando|echa espuma) "
        + _gap(3)
        + r"(?:y|con|mientras) "
        + _gap(2)
        + r"(?:tiembla|temblando|temblores|temblor)",
    ),
    _sign(
        "espuma por la boca",
        SEIZURES,
        r"espuma (?:por|en) (?:la )?boca|echa espuma|echando espuma|botando espuma"
        r"|bota espuma",
        r"(?:se esta|esta) (?:sacudiendo|retorciendo)|espasmos|ojos en blanco",
        r"tirad[oa] (?:\w+ ){0,3}pataleando|pataleando (?:\w+ ){0,3}(?:tirad[oa]|en el piso"
        r"|en el suelo|sin control)",
    ),
    # Choking and swallowed objects.
    _sign(
        "se atoró",
        CHOKING,
        r"(?:se (?:le )?)?(?:atoro|atoraron|atora|atorado|atorada|atorando|atorandose"
        r"|atraganto|atraganta|atragantado|atragantada|atragantando|atragantandose)",
        r"(?:se )?(?:ahoga|ahogo|ahogando|esta ahogando) con",
        r"(?:atorad[oa]|atascad[oa]|trabad[oa]|atravesad[oa]|clavad[oa]|metid[oa]|pegad[oa])"
        r" (?:\w+ ){0,2}(?:garganta|paladar|traquea|esofago)",
        r"(?:algo|hueso|huesito|espina|pelota|pelotita|juguete|objeto) (?:\w+ ){0,3}"
        r"(?:garganta|traquea|esofago)",
        unless=(
            r"(?:atoro|atora|atorad[oa]|atorando) (?:(?:la|el|su|sus|en|entre|a|al) ){0,2}"
            r"(?:pata|patas|cola|cabeza|collar|reja|rejas|puerta|cerca|sofa|cama|mueble|hueco"
            r"|tubo|arbol|techo|ventana|pared|muro)",
            _BABY + r" (?:\w+ ){0,3}atorad[oa]s?",
            r"como si (?:\w+ ){0,2}(?:algo|hueso|huesito|espina) (?:\w+ ){0,3}garganta",
        ),
    ),
    _sign(
        "se tragó un objeto",
        FOREIGN_BODY,
        _SWALLOW + " " + _gap(4) + _OBJECTS,
        r"anzuelos?|se trago algo|trago algo|se comio algo (?:raro|extrano|que no debia)",
        unless=(
            r"media (?:hora|noche|manana|tarde|taza|lata|pastilla|porcion|racion|bolsa)"
            r"|medianoche",
            r"pila de|bolsa de (?:comida|croquetas|concentrado|galletas|pan|dulces)",
        ),
    ),
    # Poisoning: toxic foods, human medicines, household chemicals.
    *(
        _sign(keyword, POISONING, _INGEST + " " + _gap(4) + substance)
        for keyword, substance in _TOXIC.items()
    ),
    _sign(
        "medicamento humano",
        POISONING,
        r"(?:se )?(?:(?:lo|la|los|las) )?(?:comio|comido|trago|tragado|ingirio|ingerio|mastico"
        r"|mordio|robo|agarro|tomo|(?:le|les) (?:di|dio|dimos|dieron)) " + _gap(2) + _OWNERS_MEDS,
    ),
    # Heat stroke: named, or panting hard after sun or a closed car.
    _sign(
        "golpe de calor",
        HEATSTROKE,
        r"golpes? de calor|insolacion|insolad[oa]|hipertermia|sofocad[oa] (?:\w+ ){0,2}calor",
    ),
    _sign(
        "golpe de calor",
        HEATSTROKE,
        r"jadea|jadeando|jadeo|jadear|jadeos|aceza|acezando|resoplando|respira muy rapido"
        r"|respira rapidisimo",
        requires=(
            r"(?:esta|lo siento|la siento|se siente|se nota|muy|demasiado|super)"
            r" (?:muy |demasiado |super )?(?:caliente|hirviendo|ardiendo)",
            r"al sol|en el sol|bajo el sol|pleno sol|del sol|encerrad[oa]"
            r"|(?:en|dentro de|adentro de|dentro del|adentro del) (?:el |la |un |una |mi )?"
            r"(?:carro|auto|coche|camioneta)",
        ),
    ),
    # Difficult birth.
    _sign(
        "parto complicado",
        BIRTH,
        r"(?:puja|pujando|pujo|pujaba|empuja|empujando|contracciones) "
        + _gap(6)
        + r"(?:y |pero )?no (?:sale|salen|nace|nacen|ha salido|han salido|ha nacido|puede"
        r"|avanza)",
        r"(?:lleva|tiene|desde hace) (?:\w+ ){0,3}horas? (?:\w+ ){0,2}(?:pujando|de parto"
        r"|en parto|con contracciones|pariendo)",
        r"(?:pariendo|de parto|en parto|dando a luz) (?:\w+ ){0,3}(?:y|pero) (?:\w+ ){0,2}no"
        r" (?:puede|sale|salen|nace|nacen|termina|avanza)",
        _BABY + r" (?:\w+ ){0,3}(?:atorad[oa]s?|atascad[oa]s?|trabad[oa]s?|a medio salir"
        r"|atravesad[oa]s?)",
        r"(?:quedo|quedaron) (?:\w+ ){0,2}(?:atorad|atascad|trabad)\w* (?:\w+ ){0,2}" + _BABY,
        r"(?:sale|salio|bota|boto|expulso|expulsa|echa) (?:\w+ ){0,3}(?:liquido|flujo"
        r"|secrecion) (?:verde|negro|negra|verdoso|verdosa|con mal olor|fetido)",
        requires=(_BIRTH_CONTEXT,),
    ),
    # Eye injuries.
    _sign(
        "se le salió el ojo",
        EYE_INJURY,
        r"(?:salio|salieron|salido|salto|broto|brotaron|brotado|zafo|zafado|zafada)"
        r" (?:todo |completamente |casi )?(?:para |hacia )?(?:afuera |fuera )?"
        r"(?:el |un |su |los |sus )?" + _EYE,
        r"ojo (?:\w+ ){0,2}(?:afuera|fuera de (?:su |la )?orbita|reventad[oa]|explotad[oa]"
        r"|colgando|desorbitad[oa]|salido|perforad[oa])",
        _EYE + r" (?:se le |le )(?:salio|salieron|salto|broto)",
    ),
    _sign(
        "herida en el ojo",
        EYE_INJURY,
        r"(?:heridas?|cortadas?|corte|golpe|golpazo|rasguno|aranazo|zarpazo|lesion|picotazo"
        r"|espina|astilla|clavo|ulcera) (?:\w+ )?(?:en|del|de) (?:el |un |su |los |sus |la )?"
        + _EYE,
        r"(?:reviento|reventaron|exploto|perforo|perforaron|saco|sacaron|pico|picaron|rasguno"
        r"|rasgunaron|arano|aranaron|lastimo|lastimaron|clavo|clavaron|golpeo|golpearon"
        r"|pegaron) (?:\w+ ){0,2}(?:en |a )?(?:el |un |su |los |sus )?" + _EYE,
        r"(?:cloro|lejia|acido|soda|quimico|veneno|insecticida|detergente|gasolina|cal|pegante"
        r"|pegamento) (?:\w+ ){0,3}" + _EYE,
        r"no (?:puede )?abr\w* (?:el |un |su |los |sus )?" + _EYE,
    ),
    # Bloat (gastric dilatation-volvulus).
    _sign(
        "barriga hinchada y dura",
        BLOAT,
        _BELLY + r" (?:\w+ ){0,3}" + _SWOLLEN + r" (?:\w+ ){0,3}(?:dur[oa]|tiesa|tens[oa])",
        _BELLY + r" (?:\w+ ){0,3}dur[oa] (?:\w+ ){0,2}" + _SWOLLEN,
        _BELLY + r" (?:\w+ ){0,3}como (?:un )?(?:tambor|globo|balon|pelota)",
        _BELLY + r" (?:\w+ ){0,3}" + _SWOLLEN + r" (?:\w+ ){0,4}(?:arcadas|intenta vomitar"
        r"|quiere vomitar|trata de vomitar)",
        r"torsion (?:gastrica|de estomago|del estomago|estomacal)|dilatacion gastrica"
        r"|se le (?:volteo|torcio|giro|dio vuelta) el estomago",
    ),
    _sign(
        "intenta vomitar y no puede",
        BLOAT,
        r"(?:intenta|intento|intentando|trata de|trato de|tratando de|quiere|queria"
        r"|hace el intento de|hace fuerza para|amaga con) (?:\w+ )?vomitar (?:\w+ ){0,3}"
        r"(?:y|pero) no (?:puede|vomita|sale|bota|echa|saca|logra)",
        r"arcadas (?:\w+ ){0,3}(?:y|pero) no (?:vomita|sale|bota|echa|saca)",
        r"arcadas sin (?:vomitar|sacar|botar|echar)|arcadas secas"
        r"|(?:vomitos|arcadas) (?:\w+ )?improductiv[oa]s",
    ),
    # Urinary blockage.
    _sign(
        "no puede orinar",
        URINARY,
        _NOT + r" (?:(?:" + _CAN + r"|pueda|ha) )?(?:(?:hacer|hace|hecho) )?"
        r"(?:orinar|orina|orinado|mear|mea|meado|miccionar|pipi|pis|del uno)",
        r"no (?:le )?(?:sale|salen|sale nada de) (?:\w+ )?(?:orina|pipi|pis)",
        negated=True,
        unless=(
            r"(?:orina|orinar|mea|mear|pipi|pis) (?:en|fuera|afuera|dentro|adentro) (?:de |del )?"
            r"(?:la |el |su |mi )?" + _AT_HOME,
            r"no orina con",
        ),
    ),
    _sign(
        "va a la caja y no sale nada",
        URINARY,
        r"(?:va|iba|entra|entraba|se mete|se metia|fue|esta yendo|vive) (?:\w+ ){0,3}"
        r"(?:caja|arenero|arena|bandeja) (?:\w+ ){0,4}(?:no (?:sale|hace|orina|hizo|saca"
        r"|puede|deja)|solo (?:salen |sale |unas )?(?:gotas|gotitas)|cada rato|muchas veces"
        r"|todo el rato|todo el tiempo|a cada momento)",
        r"(?:hace|hacia) (?:mucha |mucho )?(?:fuerza|esfuerzo|pujos?) (?:\w+ ){0,2}(?:para|al)"
        r" (?:orinar|mear|hacer pipi|hacer pis)",
        r"(?:se esfuerza|puja|pujando|llora|maulla|grita|se queja) (?:\w+ ){0,2}"
        r"(?:para|al|cuando) (?:orinar|orina|mear|hacer pipi|hace pipi|hacer pis)",
        r"orina (?:gota a gota|a gotas|a gotitas|solo gotas|solo gotitas)"
        r"|(?:salen|sale|bota) (?:unas |solo )?(?:gotas|gotitas) de (?:orina|pipi|pis)",
        r"obstruccion urinaria|vejiga (?:\w+ ){0,2}(?:llena|dura|como una pelota)",
    ),
    _sign(
        "va a la caja y no sale nada",
        URINARY,
        r"(?:puja|pujando|hace fuerza) " + _gap(4) + r"(?:y |pero )?no (?:sale|hace|orina) nada",
        requires=(_CAT_CONTEXT,),
    ),
    # Venomous animals: snakes, toads, scorpions, spiders, swarms, caterpillars.
    _sign(
        "mordedura de serpiente",
        ENVENOMATION,
        r"(?:lo|la|le) (?:mordio|pico|picaron|mordieron|ataco|ha mordido|ha picado)"
        r" (?:\w+ ){0,2}" + _SNAKE,
        _SNAKE + r" (?:\w+ ){0,3}(?:lo|la|le) (?:mordio|pico|ataco)",
        r"(?:mordedura|mordida|picadura) (?:de|por) (?:una |un )?" + _SNAKE,
    ),
    _sign(
        "sapo",
        ENVENOMATION,
        r"(?:mordio|mordido|mordiendo|lamio|lamido|lamiendo|agarro|cogio|jugo con|jugando con"
        r"|se comio|comio|se trago|trago|tenia en la boca|tuvo en la boca|se metio)"
        r" (?:\w+ ){0,2}(?:un |una |el |la |al |a un |a una )?(?:sapo|sapito|sapos|rana|bufo"
        r"|cururu)",
    ),
    _sign(
        "picadura venenosa",
        ENVENOMATION,
        r"(?:lo|la|le) (?:pico|picaron|mordio|mordieron|ataco|atacaron) (?:\w+ ){0,2}"
        r"(?:alacran|escorpion|arana|viuda negra|abejas|avispas|enjambre|panal)",
        r"(?:picadura|mordedura|mordida|picaduras) (?:de|por) (?:un |una )?(?:alacran"
        r"|escorpion|arana|viuda negra|abejas|avispas)",
        r"(?:alacran|escorpion) (?:\w+ ){0,3}(?:lo|la|le) (?:pico|mordio)",
        r"(?:mordio|lamio|se comio|comio|toco|agarro|jugo con|jugando con) (?:\w+ ){0,2}"
        r"(?:una |un |la |el )?(?:oruga|orugas|procesionaria|procesionarias|gusano peludo"
        r"|azotador|gata peluda|cuncuna)",
    ),
    # Trauma beyond the spec's words.
    _sign(
        "lo chocó un vehículo",
        TRAUMA,
        r"(?:lo|la|le|los|las) (?:choco|chocaron|golpeo|golpearon|pego|pegaron|aplasto"
        r"|aplastaron|piso|pisaron|tumbo|tumbaron|llevo por delante|paso por encima"
        r"|pasaron por encima|paso encima|agarro|agarraron|arrastro|arrastraron|embistio"
        r"|atrapo) (?:\w+ ){0,2}" + _VEHICLE,
        _VEHICLE + r" (?:\w+ ){0,3}(?:lo|la|le) (?:choco|golpeo|pego|arrollo|aplasto|piso"
        r"|tumbo|atropello|agarro|arrastro|paso por encima|embistio)",
        r"accidentad[oa]s?|accidente de (?:transito|carro|moto|auto|coche|trafico)",
    ),
    _sign(
        "caída de altura",
        TRAUMA,
        r"se (?:cayo|tiro|lanzo|resbalo) (?:de|del|desde|por) (?:(?:el|la|un|una|su|mi"
        r"|lo|mas) )?(?:(?:segundo|tercer|tercero|cuarto|quinto|sexto|\d+|un|alto|gran"
        r"|mucha) )?(?:piso|pisos|balcon|ventana|techo|terraza|azotea|edificio|altura|muro"
        r"|barda|tapia|segundo|tercer)",
    ),
    _sign(
        "ataque de perro",
        TRAUMA,
        r"(?:lo|la|le) (?:mordio|mordieron|ataco|atacaron|agarro|agarraron|destrozo"
        r"|destrozaron|revolcaron) (?:\w+ ){0,2}(?:un |unos |otro |otros |el |los |dos"
        r" |varios )?(?:perro|perros|perrote|pitbull|pit bull|rottweiler|dogo|jauria|doberman)",
        r"pelea de perros",
    ),
    _sign(
        "herida grave",
        TRAUMA,
        r"(?:le )?(?:dispararon|disparo|balearon)|balazo|herida de bala|perdigon(?:es)?"
        r"|balin(?:es)?|escopetazo|machetazo|macheteado|apunalad[oa]|apunalaron|punalada"
        r"|acuchillad[oa]|cuchillada",
        r"herida (?:muy )?(?:profunda|grande|abierta|enorme)"
        r"|cortada (?:muy )?(?:profunda|grande)",
        r"se le (?:ve|ven|salen|salieron|sale|salio) (?:el |los |las |la )?(?:hueso|huesos"
        r"|tripas|intestinos|visceras)",
        r"(?:tripas|intestinos|visceras) (?:afuera|por fuera|de fuera)"
        r"|hueso (?:expuesto|salido|afuera|por fuera)|fractura expuesta",
        r"(?:pata|patita|cadera|columna|mandibula|pelvis) (?:rota|quebrada|partida|fracturada)",
        r"se (?:le )?(?:rompio|quebro|partio|fracturo) (?:la |una |su )?(?:pata|patita|cadera"
        r"|columna|mandibula|pelvis)",
        r"golpe (?:muy )?(?:fuerte )?en la cabeza|se (?:golpeo|pego|dio) (?:\w+ ){0,2}(?:en )?"
        r"la cabeza",
    ),
    # More breathing trouble.
    _sign(
        "respira con dificultad",
        BREATHING,
        r"respira (?:\w+ )?(?:con (?:mucha |gran )?(?:dificultad|esfuerzo|trabajo|ruido)"
        r"|muy (?:mal|rapido|agitad[oa]|fuerte|raro|feo)|mal|raro|feo|agitad[oa]"
        r"|con la boca abierta|por la boca|entrecortado|ahogad[oa])",
        r"(?:le cuesta|le cuesta mucho|dificultad (?:para|al)|problemas (?:para|al)) respirar",
        r"respiracion (?:muy )?(?:agitada|dificil|dificultosa|forzada|rapida|ruidosa"
        r"|entrecortada)",
        r"(?:le )?falta (?:el )?aire|falta de aire|no le (?:entra|llega) (?:el )?aire",
        r"(?:encias|mucosas) (?:\w+ ){0,2}(?:moradas?|azules?|azuladas?|grises?|palidas?"
        r"|blancas?|moraditas?)",
        r"(?:lengua|labios) (?:\w+ ){0,2}(?:morad[oa]s?|azul(?:es)?|azulad[oa]s?|gris(?:es)?)",
        r"se (?:esta )?(?:puso|poniendo) morad[oa]|ataque de asma|crisis (?:de asma|asmatica)"
        r"|inhalo (?:mucho )?humo",
    ),
    # Burns and electric shock.
    _sign(
        "quemadura",
        BURNS,
        r"(?:se )?quem(?:o|ado|ada|ados|adas|adura|aduras|andose|aron)",
        r"(?:cayo|echo|echaron|derramo|derramaron|tiro|tiraron|salpico) (?:\w+ ){0,3}(?:agua"
        r"|aceite|cafe|sopa|caldo|leche|te|liquido) (?:\w+ )?(?:hirviendo|hirviente|caliente)",
        r"(?:agua|aceite) hirviendo|incendio",
        r"(?:cayo|echo|echaron|derramo|salpico) (?:\w+ ){0,3}(?:acido|soda caustica|cal viva)",
        unless=(r"(?:huele|olor) a quemad[oa]|(?:pan|comida) quemad[oa]",),
    ),
    _sign(
        "descarga eléctrica",
        ELECTRIC_SHOCK,
        r"(?:se )?electrocut\w*|electrocucion|descarga electrica|corrientazo",
        r"(?:le|lo|la) (?:dio|paso|agarro|pego|jalo) (?:la |una |un )?(?:corriente|descarga)",
        r"(?:le cayo|le dio|le pego) un rayo",
        r"(?:mordio|mordido|mordiendo|mastico|masticando|masticado|lamio|toco|jugando con)"
        r" (?:\w+ ){0,3}(?:cable|cables|enchufe|enchufes|tomacorriente|toma corriente|cargador"
        r"|extension|alargador|alargue)",
    ),
    # Spec 5.1, medium.
    _sign(
        "urgente",
        None,
        r"urgentes?|urgencias?",
        high=False,
        minimizable=True,
        unless=_EMERGENCY_SERVICE,
    ),
    _sign(
        "emergencia",
        None,
        r"emergencias?",
        high=False,
        minimizable=True,
        unless=_EMERGENCY_SERVICE,
    ),
    _sign(
        "ayuda",
        None,
        r"ayuda|ayudenme|ayudame|auxilio",
        high=False,
        unless=(r"(?:gracias|agradezco|agradecemos) (?:\w+ ){0,3}ayuda|por (?:la|tu|su) ayuda",),
    ),
    _sign("muy mal", None, r"muy mal", high=False, minimizable=True),
    _sign("grave", None, r"graves?", high=False, minimizable=True),
    _sign("crítico", None, r"critic[oa]", high=False, minimizable=True),
    _sign(
        "vomitando sangre",
        BLEEDING,
        r"vomitando sangre|vomita sangre|vomito sangre|vomitos? con sangre",
        high=False,
        minimizable=True,
    ),
    _sign("diarrea con sangre", BLEEDING, r"diarrea con sangre", high=False, minimizable=True),
    _sign("hinchado", None, r"hinchad[oa]s?", high=False, minimizable=True),
    _sign("inflamado", None, r"inflamad[oa]s?", high=False, minimizable=True),
)

# When several categories match, the one whose first aid matters most first:
# cut the power before touching; rodenticide makes an animal bleed, so the
# advice must be the poisoning one; cooling saves a heat stroke.
_CATEGORY_PRIORITY = (
    ELECTRIC_SHOCK,
    POISONING,
    ENVENOMATION,
    CHOKING,
    HEATSTROKE,
    BREATHING,
    BLOAT,
    SEIZURES,
    TRAUMA,
    BIRTH,
    BLEEDING,
    URINARY,
    EYE_INJURY,
    BURNS,
    FOREIGN_BODY,
    COLLAPSE,
)


# --- Negation, downplaying, history ---------------------------------------


def _words(*words: str) -> frozenset[str]:
    return frozenset(_fold(w) for w in words)


# Words that deny what follows: "no sangra", "sin fiebre", "nunca ha tenido".
_NEGATORS = _words(
    "no",
    "ni",
    "sin",
    "nunca",
    "jamas",
    "tampoco",
    "ningun",
    "ninguna",
    "ninguno",
    "ningunos",
    "ningunas",
    # talking about it, not living it: "para descartar", "cómo evitar un golpe de calor"
    "descartar",
    "descartamos",
    "descarte",
    "descartado",
    "descartando",
    "descartarlo",
    "descartarla",
    "prevenir",
    "prevencion",
    "previene",
    "evitar",
    "evite",
    "evitarlo",
    "evitarla",
    "consejos",
    "tips",
    "informacion",
)
# "Nada" only right before the sign: "nada grave", "nada de sangre".
_NOTHING = _fold("nada")
_NOTHING_BRIDGE = _words("de", "tan", "muy", "mas", "tanto")
# Amounts that take back bleeding or a medium word: "un poco de sangre", "levemente inflamado".
_MINIMIZERS = _words(
    "poca",
    "pocas",
    "poquita",
    "poquito",
    "poquitas",
    "poquitos",
    "poquitico",
    "leve",
    "leves",
    "levemente",
    "ligero",
    "ligera",
    "ligeramente",
    "gotita",
    "gotitas",
    "hilito",
    "pizca",
)
_LITTLE = _fold("poco")
_LITTLE_BEFORE = _words("un", "muy", "tan")
# "Ya dejó de sangrar" denies the sign; "no para de sangrar" affirms it.
_STOPPED = _words(
    "dejo", "deja", "dejado", "dejaba", "dejaron", "paro", "para", "parado", "paraba", "ceso"
)
# Words negation reaches across: "no está vomitando", "nunca ha tenido", "no le he visto".
_TRANSPARENT = _words(
    *"el la los las lo le les se me te nos un una unos unas su sus".split(),
    *"es esta estan estaba estaban este esten estuvo sea sean era eran fue fueron".split(),
    *"ha han habia habian he hemos hay hubo haya hayan".split(),
    *"tiene tienen tenia tenian tenido tenga tengan tuvo tuvieron".split(),
    *"presenta presentan presento presentado presentaba muestra muestran mostrado".split(),
    *"parece parecia parecen creo creemos pienso veo vi visto vimos".split(),
    *"noto note notado notamos nota sale salen salio salido salia sido estado".split(),
    *"volvio vuelto vuelve sigue siguio seguido da dio dado hecho".split(),
    *"muy tan tanto mucho mucha muchos muchas mas nada casi ya todavia aun".split(),
    *"de del con en a al que q k o u".split(),
    *"signos signo sintomas sintoma senales senal rastro rastros indicio indicios".split(),
    *"vomito vomitos vomita vomitando vomitado diarrea fiebre tos dolor".split(),
)
_NEGATION_REACH = 6

# A sign a week or more ago, of a pet now recovered, is the pet's history (days
# are too recent: grapes or a fall can still harm).
_PAST = re.compile(
    _fold(
        r"\b(?:la semana pasada|el mes pasado|el ano pasado|(?<!desde )hace"
        r" (?:un|una|unos|unas|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|quince"
        r"|varios|varias|algunos|algunas|muchos|muchas|\d+) (?:semanas|semana|meses|mes"
        r"|anos|ano)\b(?! que))"
    )
)
_RECOVERED = re.compile(
    _fold(
        r"\b(?:(?:ya )?(?:esta|quedo|se ve|sigue|anda|la vemos|lo vemos|lo veo|la veo)"
        r" (?:muy |super |totalmente |completamente )?(?:bien|mejor|perfect[oa]|normal|san[oa]"
        r"|recuperad[oa]|estable)|se recupero|se curo|ya paso|(?:le )?dieron de alta"
        r"|dad[oa] de alta|dijo que (?:estaba|esta|era|no era) (?:bien|normal|nada)|control"
        r"|revision|chequeo|seguimiento|ya (?:lo|la) (?:vio|vieron|reviso|revisaron|atendieron"
        r"|trataron))\b"
    )
)
_NOW = re.compile(
    _fold(
        r"\b(?:hoy|ahorita|en este momento|ahora mismo|otra vez|de nuevo|volvio a"
        r"|sigue(?! (?:bien|mejor|perfect|normal|san|estable))|todavia|aun)\b"
    )
)
_TURN = _words("pero", "aunque", "ahora", "hoy", "ahorita", "sino", _CLAUSE_MARK)


def _negated(words: list[str], index: int, sign: _Sign) -> bool:
    """Whether the words before words[index] deny or play down the sign."""
    for distance in range(1, _NEGATION_REACH + 1):
        at = index - distance
        if at < 0:
            return False
        word = words[at]
        if word in _NEGATORS:
            return True
        if word == _NOTHING and all(w in _NOTHING_BRIDGE for w in words[at + 1 : index]):
            return True
        if sign.minimizable and (
            word in _MINIMIZERS or (word == _LITTLE and at > 0 and words[at - 1] in _LITTLE_BEFORE)
        ):
            return True
        if word == "de" and at > 0 and words[at - 1] in _STOPPED:
            # "dejó de sangrar" denies; "no para de sangrar" affirms.
            return not (at > 1 and words[at - 2] in _NEGATORS)
        if word not in _TRANSPARENT:
            return False
    return False


def _is_history(words: list[str], index: int, recovered: bool) -> bool:
    """A sign told in the past ("hace un mes") of a pet now recovered."""
    if not recovered:
        return False
    start = index
    while start > 0 and words[start - 1] not in _TURN:
        start -= 1
    end = index
    while end < len(words) and words[end] not in _TURN:
        end += 1
    stretch = " ".join(words[start:end])
    return bool(_PAST.search(stretch)) and not _NOW.search(stretch)


@dataclass(frozen=True)
class EmergencyDetection:
    is_potential_emergency: bool
    confidence: str | None = None
    matched_keywords: tuple[str, ...] = ()
    category: str | None = None


_NO_EMERGENCY = EmergencyDetection(is_potential_emergency=False)


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _found_signs(text: str) -> list[tuple[int, _Sign]]:
    """The signs the message affirms, each with where it first appears."""
    words = text.split(" ")
    recovered = bool(_RECOVERED.search(text))
    found: dict[str, tuple[int, _Sign]] = {}
    for sign in _SIGNS:
        if sign.keyword in found:
            continue
        if sign.requires is not None and not sign.requires.search(text):
            continue
        excluded = [m.span() for m in sign.unless.finditer(text)] if sign.unless else []
        for match in sign.pattern.finditer(text):
            if excluded and _overlaps(match.span(), excluded):
                continue
            index = text.count(" ", 0, match.start())
            if not sign.self_negated and _negated(words, index, sign):
                continue
            if _is_history(words, index, recovered):
                continue
            found[sign.keyword] = (match.start(), sign)
            break
    return sorted(found.values(), key=lambda item: item[0])


def _category(signs: list[_Sign]) -> str | None:
    present = {sign.category for sign in signs}
    return next((c for c in _CATEGORY_PRIORITY if c in present), None)


@cache_short_texts
def detect_emergency(text: str) -> EmergencyDetection:
    """Flag a message that may describe an emergency (spec 5.1 rules).

    "Mi gato se comió veneno para ratas ayuda!!!" -> high, poisoning,
    keywords ("veneno", "ayuda"). "Se desplomó y no se levanta" -> high,
    collapse. "No es nada grave, no está vomitando, solo es su control" -> no
    emergency. Matched keywords list high signs first, then medium ones, each
    in the order the message says them; the spec's words under its spelling.
    """
    found = [sign for _, sign in _found_signs(_clauses(text))]
    high = [sign for sign in found if sign.high]
    medium = [sign for sign in found if not sign.high]
    if high:
        return EmergencyDetection(
            is_potential_emergency=True,
            confidence="high",
            matched_keywords=tuple(sign.keyword for sign in high + medium),
            category=_category(high) or _category(medium),
        )
    if len(medium) >= 2 or (medium and ("!" in text or "¡" in text)):
        return EmergencyDetection(
            is_potential_emergency=True,
            confidence="medium",
            matched_keywords=tuple(sign.keyword for sign in medium),
            category=_category(medium),
        )
    return _NO_EMERGENCY


# Short first-aid steps sent while the vet is being alerted. Poisoning is the
# spec's own text (3.2); the others are conservative, widely given advice.
FIRST_AID: dict[str, list[str]] = {
    POISONING: [
        "No induzcas el vómito",
        "Mantén a tu mascota tranquila",
        "Ten a la mano el empaque del producto",
    ],
    TRAUMA: [
        "Muévela lo menos posible; usa una manta o tabla como camilla",
        "Mantenla abrigada y tranquila",
        "Si sangra, presiona la herida con un paño limpio",
        "Con cuidado: un animal con dolor puede morder",
    ],
    BREATHING: [
        "Llévala a un lugar fresco y ventilado",
        "Quítale el collar o cualquier cosa que le apriete el cuello",
        "No le des agua ni comida",
        "Mantén la calma y evita que se agite",
    ],
    SEIZURES: [
        "No le metas la mano ni objetos en la boca",
        "Aleja muebles y objetos con los que pueda golpearse",
        "Baja la luz y el ruido",
        "Anota cuánto dura la convulsión",
    ],
    BLEEDING: [
        "Presiona la herida con un paño limpio y no lo retires",
        "Si el paño se empapa, pon otro encima",
        "Mantén a tu mascota quieta y abrigada",
        "No le des medicamentos de uso humano",
    ],
    BIRTH: [
        "Deja a la madre en un lugar tranquilo, limpio y abrigado",
        "No tires de las crías",
        "Anota la hora en que empezó y cuántas crías han nacido",
    ],
    COLLAPSE: [
        "Acuéstala de lado sobre una superficie plana y mantenla abrigada",
        "Muévela lo menos posible; usa una manta o tabla como camilla",
        "No le des comida, agua ni medicamentos de uso humano",
        "Fíjate si respira y anota la hora en que empezó",
    ],
    CHOKING: [
        "Abre su boca con cuidado y mira si el objeto se ve",
        "Sácalo solo si lo ves y puedes tomarlo fácil; no lo empujes hacia adentro",
        "Cuidado: aunque sea dócil, puede morder por el susto",
        "Si no logras sacarlo, ven de inmediato",
    ],
    FOREIGN_BODY: [
        "No induzcas el vómito",
        "Si asoma un hilo o una cuerda, no tires de él",
        "No le des comida ni agua",
        "Si puedes, trae un objeto igual o lo que quedó de él",
    ],
    HEATSTROKE: [
        "Llévala a la sombra o a un lugar fresco y ventilado",
        "Mójala con agua fresca, no helada, sobre todo en cuello, axilas e ingles",
        "No la cubras con toallas mojadas: guardan el calor",
        "Si está despierta, ofrécele agua fresca en pocas cantidades",
    ],
    EYE_INJURY: [
        "No intentes meter el ojo en su lugar ni lo frotes",
        "Cúbrelo con una gasa o paño limpio humedecido con suero fisiológico",
        "Evita que se rasque o se frote la cara",
        "Si le cayó un químico, lava el ojo con abundante agua",
    ],
    BLOAT: [
        "No le des comida ni agua",
        "No intentes hacerla vomitar",
        "Evita que corra o salte y ven de inmediato: empeora muy rápido",
    ],
    URINARY: [
        "No le presiones la barriga",
        "No le des medicamentos de uso humano",
        "Ven hoy mismo: no poder orinar es muy grave, sobre todo en gatos machos",
    ],
    ENVENOMATION: [
        "Mantenla quieta y tranquila; muévela lo menos posible",
        "No cortes, no succiones ni pongas torniquete en la mordida",
        "Si fue un sapo, lava su boca con agua de lado, sin que la trague",
        "Si puedes hacerlo sin riesgo, toma una foto del animal",
    ],
    BURNS: [
        "Enfría la quemadura con agua fresca, no helada, durante 10 minutos",
        "No pongas cremas, mantequilla, pasta de dientes ni hielo",
        "Cúbrela con un paño limpio y húmedo",
    ],
    ELECTRIC_SHOCK: [
        "Antes de tocarla, corta la luz o desenchufa el aparato",
        "Si no puedes cortar la luz, apártala con un palo de madera seco, nunca con las manos",
        "Mantenla abrigada y tranquila: la respiración puede empeorar en las horas siguientes",
    ],
    "general": [
        "Mantén a tu mascota tranquila y abrigada",
        "No le des comida, agua ni medicamentos de uso humano",
        "Muévela con cuidado, lo menos posible",
    ],
}


def first_aid_advice(category: str | None) -> list[str]:
    """First-aid steps for an emergency category; the general ones otherwise."""
    steps = FIRST_AID.get(category or "general", FIRST_AID["general"])
    return list(steps)
