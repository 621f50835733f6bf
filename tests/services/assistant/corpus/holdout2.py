"""A second held-out corpus: conversations written without reading the assistant's code, the main
corpus or its wording, and chosen to differ from the first held-out set (`holdout.py`).

Where round one mostly sent one short detail per message, these lean on how people really write
on WhatsApp: long voice-note-like messages with pet, reason, day, time and name at once; people
who correct themselves twice; questions answered with questions; numbers and dates written in
words ("a las diez y media", "el primero de febrero", "dentro de una semana"); vague times
("mediodía", "después del almuerzo", "a eso de las 4"); a time before anything else; very formal
and very abbreviated writing; the doctor asked for by name; prices (the clinic sends them to its
phone, it never quotes one); emergencies in regional words; cancellations with a sad reason;
"?" after a silence; and a client who refuses every offer and then takes one.

Clinic facts the expectations rely on: Dra. Ana Restrepo works Monday to Saturday 9:00-12:00
and 14:00-18:00 in 30-minute slots; the clinic opens Monday to Friday 8:00-12:30 and
14:00-18:00 and Saturday 9:00-13:00 (closed on Sunday); its phone is +57 601 456 7890 and it is
at Calle 85 # 15-20, Bogotá. "Now" is Thursday 28 January 2027, 3:20 PM in Bogotá, so today's
last slots are 4:30, 5:00 and 5:30 PM. Dates: Fri 29 Jan, Sat 30 Jan, Mon 1 Feb ... Sat 6 Feb.
"""

from __future__ import annotations

from tests.services.assistant.corpus import (
    NEVER_MISUNDERSTOOD,
    AsksEmergency,
    Booked,
    Cancelled,
    ClientName,
    Conversation,
    DoesNotSay,
    Known,
    Msg,
    NoEmergency,
    NotBooked,
    OnFile,
    Says,
    Unchanged,
)
from tests.services.assistant.corpus.calendar import (
    AFTERNOON,
    EARLY,
    FRI,
    FRI_5,
    MON,
    MORNING,
    NEXT_WEEK,
    SAT,
    THU,
    TODAY,
    TUE,
    TUE_9,
    WED,
    WED_10,
)

SOON = (TODAY, FRI, SAT, *NEXT_WEEK)

CLINIC_PHONE = Says("4567890", "456 7890", "456-7890")
NO_PRICE = DoesNotSay("$", "pesos", "soles", "lucas", "mil ")


# ---------------------------------------------------------------- voice-note-like run-on messages

VOICE_LIKE = (
    Conversation(
        id="holdout2_voice_co_orejas_lunes_tipo_3",
        category="voice_like",
        country="CO",
        says=(
            "hola buenas tardes mire le cuento es que tengo una perrita que se llama Luna y desde "
            "el martes se esta rascando mucho las orejas y sacude la cabeza a toda hora entonces "
            "queria saber si me la pueden ver el lunes en la tarde tipo 3 porque en la mañana "
            "trabajo, mi nombre es Gloria Castaño",
            "si señora perfecto",
        ),
        expect=(
            Booked(on=MON, at="15:00", pet="Luna", reason_has="oreja"),
            ClientName("Gloria Castaño"),
            NoEmergency(),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_voice_mx_vacuna_y_diente",
        category="voice_like",
        country="MX",
        says=(
            "que tal buenas tardes, le escribo para lo de mi gato que se llama Pancho, ya le toca "
            "su vacuna triple felina y de paso quiero que le revisen un diente que trae flojo, "
            "podria ser el viernes 5 de febrero a las 10 de la mañana? soy Ricardo Salinas, "
            "gracias",
            "si asi esta bien",
        ),
        expect=(
            Booked(on=FRI_5, at="10:00", pet="Pancho", reason_has="vacuna"),
            ClientName("Ricardo Salinas"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_voice_ar_caniche_toma_agua",
        category="voice_like",
        country="AR",
        says=(
            "hola qué tal, mirá te cuento, tengo un caniche de 12 años que se llama Firulais y "
            "últimamente toma muchísima agua y hace pis a cada rato, el veterinario de antes se "
            "jubiló así que quería sacar un turno con ustedes para el miércoles 3 a la tarde, "
            "después de las 4 si puede ser, soy Claudia Benítez",
            "el primero",
            "sí, dale",
        ),
        expect=(
            Booked(on=WED, between=("16:00", "17:30"), pet="Firulais"),
            ClientName("Claudia Benítez"),
            NoEmergency(),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_voice_pe_gatita_decaida_primera_hora",
        category="voice_like",
        country="PE",
        says=(
            "buenas tardes disculpe que le moleste, le cuento que mi gatita Mía no está comiendo "
            "bien desde hace tres días, sí toma su agüita y camina normal pero la noto como "
            "desganada, quería ver si me la pueden ver mañana viernes a primera hora, soy Julia "
            "Mendoza",
            "la primera porfa",
            "si",
        ),
        expect=(
            Booked(on=FRI, between=EARLY, pet="Mía"),
            ClientName("Julia Mendoza"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_voice_cl_octuple_diez_o_diez_y_media",
        category="voice_like",
        country="CL",
        says=(
            "hola buenas, te escribo pa pedir hora pa mi perro Charlie que es un labrador de 3 "
            "años, necesito que le pongan la vacuna octuple y de paso lo desparasiten, "
            "idealmente el martes 2 en la mañana a eso de las 10 o 10 y media, me llamo Ignacio "
            "Soto",
            "la de las 10 está bien",
            "si po",
        ),
        expect=(
            Booked(on=TUE, between=("10:00", "10:30"), pet="Charlie", reason_has="octuple"),
            ClientName("Ignacio Soto"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_voice_co_sin_puntuacion_cola",
        category="voice_like",
        country="CO",
        says=(
            "buenas tardes necesito una cita para mi gato Tom que tiene una herida en la cola que "
            "se hizo peleando con otro gato ya no le sale sangre pero se ve como hinchada entonces "
            "si hay el sabado en la mañana me sirve y soy Hernán Ruiz",
            "la primera",
            "si",
        ),
        expect=(
            Booked(on=SAT, between=MORNING, pet="Tom"),
            ClientName("Hernán Ruiz"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
)

# ---------------------------------------------------------------- correcting themselves twice

DOUBLE_CORRECTION = (
    Conversation(
        id="holdout2_fix2_co_lunes_martes_lunes_11",
        category="double_correction",
        country="CO",
        profile="Felipe Arango",
        says=(
            "hola quiero cita para mi perro Rocky el lunes a las 10, es un control",
            "no espere, mejor el martes",
            "ay no perdón, el lunes sí pero a las 11",
            "si",
        ),
        expect=(
            Booked(on=MON, at="11:00", pet="Rocky", not_at=(f"{MON} 10:00", f"{TUE} 10:00")),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_fix2_mx_viernes_sabado_viernes_4",
        category="double_correction",
        country="MX",
        profile="Paty Ramos",
        says=(
            "quiero agendar a mi gata Kitty mañana viernes en la tarde para que le corten las uñas",
            "bueno no, mejor el sábado en la mañana",
            "no no, perdón, sí el viernes pero a las 4",
            "si",
        ),
        expect=(Booked(on=FRI, at="16:00", pet="Kitty"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_fix2_ar_jueves_viernes_nueve_y_media",
        category="double_correction",
        country="AR",
        profile="Laura",
        says=(
            "turno para vacunar a mi perra Frida el jueves 4 a las 9",
            "uh no, ese día no puedo, el viernes 5 a las 9",
            "no, mejor 9 y media, perdón",
            "sí",
        ),
        expect=(
            Booked(on=FRI_5, at="09:30", pet="Frida", reason_has="vacun"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_fix2_pe_bobby_canela_bobby",
        category="double_correction",
        country="PE",
        known=Known(name="Rosa", pets=(("Bobby", "perro"), ("Canela", "perro"))),
        says=(
            "buenas, cita para Bobby mañana a las 3 para su baño medicado",
            Msg("perdón no es Bobby, es para Canela", expect=(Says("Canela"),)),
            "ay no, sí era Bobby, disculpe, Canela ya tuvo su baño la semana pasada",
            "si",
        ),
        expect=(Booked(on=FRI, at="15:00", pet="Bobby"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- a question answered with another

QUESTION_BACK = (
    Conversation(
        id="holdout2_qback_co_que_dias_tienen",
        category="question_back",
        country="CO",
        profile="Sandra Gil",
        says=(
            "hola quiero una cita para mi perrita Maya, control",
            Msg(
                "¿qué días tienen disponibles?",
                expect=(DoesNotSay("no logre", "no entendi", "no te entendi"),),
            ),
            "¿y el martes en la tarde hay?",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TUE, between=AFTERNOON, pet="Maya"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_qback_mx_y_la_de_las_4",
        category="question_back",
        country="MX",
        profile="Jorge Medina",
        says=(
            "hola quiero cita para mi perro Max, tiene tos",
            "¿tienen para mañana?",
            "¿y a las 4 no tienen?",
            "si",
        ),
        expect=(Booked(on=FRI, at="16:00", pet="Max"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_qback_ar_a_que_hora_abren_sabado",
        category="question_back",
        country="AR",
        profile="Nicolás",
        says=(
            "hola, turno para mi gato Simba, control de peso",
            "¿a qué hora abren el sábado?",
            "bueno, el sábado a las 9 entonces",
            "sí",
        ),
        expect=(Booked(on=SAT, at="09:00", pet="Simba"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_qback_pe_atiende_el_lunes",
        category="question_back",
        country="PE",
        profile="Milagros",
        says=(
            "buenas, quiero cita para mi gato Michi, le toca su vacuna",
            "¿el lunes atiende la doctora?",
            "ya, ¿y a las 10 de la mañana habrá?",
            "si",
        ),
        expect=(Booked(on=MON, at="10:00", pet="Michi"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- numbers and dates in words

WORDS_NUMBERS = (
    Conversation(
        id="holdout2_words_co_dos_de_febrero_diez_y_media",
        category="words_numbers",
        country="CO",
        profile="Marcela",
        says=(
            "buenas, una cita para mi perro Bruno para el dos de febrero a las diez y media de la "
            "mañana, es para la vacuna",
            "la de la rabia",
            "si",
        ),
        expect=(
            Booked(on=TUE, at="10:30", pet="Bruno", reason_has="vacuna"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_words_mx_cuatro_a_las_cuatro",
        category="words_numbers",
        country="MX",
        profile="Sofía",
        says=(
            "quiero cita el cuatro de febrero a las cuatro de la tarde para mi gata Luna, revisión",
            "sí, gracias",
        ),
        expect=(Booked(on=THU, at="16:00", pet="Luna"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_words_ar_viernes_cinco_tres_y_media",
        category="words_numbers",
        country="AR",
        profile="Gustavo",
        says=(
            "hola, turno para mi perro Ramiro el viernes cinco a las tres y media de la tarde, "
            "control de la pata",
            "dale",
        ),
        expect=(Booked(on=FRI_5, at="15:30", pet="Ramiro", reason_has="pata"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_words_pe_lunes_primero_nueve",
        category="words_numbers",
        country="PE",
        profile="Elena",
        says=(
            "quisiera una cita para el lunes primero a las nueve de la mañana para mi gatito Tito, "
            "chequeo",
            "sí",
        ),
        expect=(Booked(on=MON, at="09:00", pet="Tito"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_words_cl_tres_de_febrero_cinco",
        category="words_numbers",
        country="CL",
        profile="Javiera",
        says=(
            "hola, hora pa mi perra Cleo el tres de febrero a las cinco de la tarde, control",
            "ya, si",
        ),
        expect=(Booked(on=WED, at="17:00", pet="Cleo"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- relative and named dates

RELATIVE_DATES = (
    Conversation(
        id="holdout2_rel_co_primero_de_febrero",
        category="relative_date",
        country="CO",
        profile="Juan Pablo",
        says=(
            "hola, me da una cita para el primero de febrero en la tarde para mi gato Félix, le "
            "vi pulgas",
            "la primera",
            "si",
        ),
        expect=(Booked(on=MON, between=AFTERNOON, pet="Félix"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_rel_mx_este_lunes",
        category="relative_date",
        country="MX",
        profile="Vero",
        says=(
            "hola, ¿tienen lugar este lunes en la mañana? es para mi perrita Chispa, le toca "
            "desparasitar",
            "la primera",
            "si",
        ),
        expect=(Booked(on=MON, between=MORNING, pet="Chispa"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_rel_ar_proximo_martes",
        category="relative_date",
        country="AR",
        profile="Carolina",
        says=(
            "hola, turno para el próximo martes a la tarde para mi gata Mora, control",
            "el primero",
            "sí",
        ),
        expect=(Booked(days=(TUE, TUE_9), between=AFTERNOON, pet="Mora"), NEVER_MISUNDERSTOOD),
        notes="'El próximo martes' is usually Tuesday 2 February; some mean the 9th.",
    ),
    Conversation(
        id="holdout2_rel_pe_dentro_de_una_semana",
        category="relative_date",
        country="PE",
        profile="Liliana",
        says=(
            "quiero cita para mi perro Toby dentro de una semana, para su segunda dosis de "
            "vacuna, en la mañana",
            "la quíntuple",
            "la primera",
            "si",
        ),
        expect=(Booked(on=THU, between=MORNING, pet="Toby"), NEVER_MISUNDERSTOOD),
        notes="A week from Thursday 28 January: Thursday 4 February.",
    ),
    Conversation(
        id="holdout2_rel_co_en_ocho_dias",
        category="relative_date",
        country="CO",
        profile="Alba Lucía",
        says=(
            "buenas, me la agenda para dentro de ocho días a las 3 de la tarde? es para mi perrita "
            "Pelusa, control de la cirugía",
            "el jueves",
            "si",
        ),
        expect=(Booked(days=(THU, FRI_5), at="15:00", pet="Pelusa"), NEVER_MISUNDERSTOOD),
        notes="In Colombia 'en ocho días' is a week: Thursday 4 February (the 5th accepted).",
    ),
)

# ---------------------------------------------------------------- vague times of day

VAGUE_TIMES = (
    Conversation(
        id="holdout2_vague_co_eso_del_mediodia",
        category="vague_time",
        country="CO",
        profile="Mónica",
        says=(
            "hola, cita para mi perrita Lulú el martes a eso del mediodía, para corte de uñas",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TUE, between=("11:00", "14:00"), pet="Lulú"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_vague_mx_despues_del_almuerzo",
        category="vague_time",
        country="MX",
        profile="Toño",
        says=(
            "quiero cita el miércoles después del almuerzo para mi perro Rufián, revisión de la "
            "piel",
            "la primera",
            "si",
        ),
        expect=(Booked(on=WED, between=("14:00", "15:30"), pet="Rufián"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_vague_ar_a_eso_de_las_4",
        category="vague_time",
        country="AR",
        profile="Mariela",
        says=(
            "hola, turno mañana a eso de las 4 para mi perra Nena, control",
            "sí, ese",
            "dale",
        ),
        expect=(Booked(on=FRI, between=("15:30", "16:30"), pet="Nena"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_vague_pe_tardecita_a_eso_de_las_cinco",
        category="vague_time",
        country="PE",
        profile="Giovanna",
        says=(
            "hola, quisiera cita el lunes por la tardecita, a eso de las cinco, para mi gato "
            "Manchas, control",
            "la primera",
            "si",
        ),
        expect=(Booked(on=MON, between=("16:30", "17:30"), pet="Manchas"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- a time before anything else

TIME_FIRST = (
    Conversation(
        id="holdout2_timefirst_co_a_las_11",
        category="time_first",
        country="CO",
        profile="Esteban",
        says=(
            "a las 11 tienen?",
            "mañana, para mi gato Garfield, control",
            "si",
        ),
        expect=(Booked(on=FRI, at="11:00", pet="Garfield"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_timefirst_mx_a_las_3_el_lunes",
        category="time_first",
        country="MX",
        profile="Ale",
        says=(
            "¿hay algo a las 3?",
            "el lunes, para mi perro Oso, le toca vacuna",
            "si",
        ),
        expect=(Booked(on=MON, at="15:00", pet="Oso", reason_has="vacuna"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_timefirst_ar_diez_y_media_sabado",
        category="time_first",
        country="AR",
        profile="Pablo",
        says=(
            "a las 10 y media puede ser?",
            "el sábado, es para un chequeo de mi gato Merlín",
            "sí",
        ),
        expect=(Booked(on=SAT, at="10:30", pet="Merlín"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- formal, elderly-style

FORMAL = (
    Conversation(
        id="holdout2_formal_co_senorita_vista",
        category="formal",
        country="CO",
        says=(
            "Buenas tardes señorita, quisiera solicitar una cita para mi perrito Firulais, ya está "
            "viejito y quisiera que le revisen la vista. ¿Sería posible el día martes en horas de "
            "la mañana? Muchas gracias, atentamente Gilberto Ramírez",
            "La primera, por favor",
            "Sí señorita, muy amable",
        ),
        expect=(
            Booked(on=TUE, between=MORNING, pet="Firulais"),
            ClientName("Gilberto Ramírez"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_formal_pe_senora_teresa",
        category="formal",
        country="PE",
        says=(
            "Muy buenas tardes. Le saluda la señora Teresa Vargas. Deseo solicitar una consulta "
            "para mi gata Princesa el próximo miércoles a las tres de la tarde, pues presenta "
            "caída de pelo. Quedo atenta a su respuesta.",
            "Sí, está bien. Dios se lo pague.",
        ),
        expect=(
            Booked(days=(WED, WED_10), at="15:00", pet="Princesa"),
            ClientName("Teresa Vargas"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_formal_mx_apartar_con_la_doctora",
        category="formal",
        country="MX",
        says=(
            "Buenas tardes, disculpe la molestia. Quisiera saber si me puede apartar una cita con "
            "la doctora para mi perrita Chabelita, el día de mañana a las diez de la mañana, para "
            "su revisión. De antemano muchas gracias.",
            "Sí, por favor.",
            "Mi nombre es Rosa María Treviño",
        ),
        expect=(
            Booked(on=FRI, at="10:00", pet="Chabelita", reason_has="revisi"),
            ClientName("Rosa María Treviño"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_formal_cl_junto_con_saludar",
        category="formal",
        country="CL",
        says=(
            "Estimados, junto con saludar, solicito una hora para mi gato Benito para el lunes 1 "
            "de febrero en la tarde, para control de sus vacunas. Saluda atentamente, Patricio "
            "Fuentes.",
            "La antirrábica, por favor.",
            "La primera, por favor.",
            "Sí, confirmo.",
        ),
        expect=(
            Booked(on=MON, between=AFTERNOON, pet="Benito"),
            ClientName("Patricio Fuentes"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
)

# ---------------------------------------------------------------- teenage-style abbreviations

TEEN = (
    Conversation(
        id="holdout2_teen_co_nesesito_xq_pulgas",
        category="teen",
        country="CO",
        profile="Valen ✨",
        says=(
            "hola nesesito una cita xq mi perro Thor tiene pulgas, puede ser mñn x la tarde?",
            "la 1ra",
            "si",
        ),
        expect=(Booked(on=FRI, between=AFTERNOON, pet="Thor"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_teen_mx_tmb_gatos_kiero",
        category="teen",
        country="MX",
        profile="Dany",
        says=(
            "holi q onda, tmb atienden gatos? kiero cita pa mi gatita Lola el lunes a las 10, le "
            "toca su vacuna",
            "la triple felina creo",
            "sip",
        ),
        expect=(Booked(on=MON, at="10:00", pet="Lola"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_teen_ar_dnd_queda_y_turno",
        category="teen",
        country="AR",
        profile="Juli",
        says=(
            "hola q tal, dnd queda la veterinaria? y tmb kiero sacar turno pa mi perro Rocco el "
            "miércoles a la tarde xq tiene diarrea",
            "el primero",
            "dale",
        ),
        expect=(
            Says("Calle 85"),
            Booked(on=WED, between=AFTERNOON, pet="Rocco"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_teen_pe_kiero_sita_sabado",
        category="teen",
        country="PE",
        profile="Kevin",
        says=(
            "ola kiero sita pa mi perrito Pepe q se rasca mucho, el sabado en la mñna",
            "la primera",
            "ya",
        ),
        expect=(Booked(on=SAT, between=MORNING, pet="Pepe"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- the doctor, by name

DOCTOR_NAME = (
    Conversation(
        id="holdout2_doctor_co_con_la_doctora_ana_restrepo",
        category="doctor_name",
        country="CO",
        profile="Claudia P",
        says=(
            "hola, quiero una cita con la doctora Ana Restrepo para mi perra Canela el lunes en "
            "la tarde, control",
            "la primera",
            "si",
        ),
        expect=(Booked(on=MON, between=AFTERNOON, pet="Canela"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_doctor_mx_restrepo_atiende_sabado",
        category="doctor_name",
        country="MX",
        profile="Memo",
        says=(
            "¿la Dra. Restrepo atiende el sábado? quiero que ella vea a mi gato Tigre para su "
            "vacuna",
            "la triple felina",
            "la primera",
            "si",
        ),
        expect=(Booked(on=SAT, pet="Tigre"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_doctor_ar_la_doctora_ana_sigue",
        category="doctor_name",
        country="AR",
        profile="Silvina",
        says=(
            "hola, ¿la doctora Ana sigue atendiendo ahí? me gustaría que vea a mi perro Pipo el "
            "jueves 4 a las 5, control",
            "sí",
        ),
        expect=(Booked(on=THU, at="17:00", pet="Pipo"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- prices: the phone, never a figure

PRICES = (
    Conversation(
        id="holdout2_price_co_cuanto_cuesta_consulta",
        category="price",
        country="CO",
        says=("hola buenas, cuanto cuesta la consulta?", "ok gracias"),
        expect=(CLINIC_PHONE, NO_PRICE, NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_price_mx_cuanto_cobran_esterilizar",
        category="price",
        country="MX",
        says=("oiga y cuánto cobran por esterilizar a una gatita?", "va, gracias"),
        expect=(CLINIC_PHONE, NO_PRICE, NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_price_ar_turno_y_cuanto_sale",
        category="price",
        known_gap=(
            "a vaccine booking with a price question: the price is answered and the booking goes "
            "on, but '¿qué vacuna?' comes first, so 'el primero' only brings the offers and the "
            "'sí' after them is asked which one"
        ),
        country="AR",
        profile="Marcelo",
        says=(
            "hola, turno para vacunar a mi perro Lolo el lunes a la mañana, ¿y cuánto sale la "
            "vacuna?",
            "el primero",
            "sí",
        ),
        expect=(
            Booked(on=MON, between=MORNING, pet="Lolo"),
            CLINIC_PHONE,
            NO_PRICE,
            NEVER_MISUNDERSTOOD,
        ),
    ),
)

# ---------------------------------------------------------------- emergencies in regional words


def _emergency(
    id: str, country: str, first: str, then: str = "si", known_gap: str | None = None
) -> Conversation:
    return Conversation(
        id=id,
        category="emergency",
        country=country,
        known_gap=known_gap,
        says=(Msg(first, expect=(AsksEmergency(),)), then),
        expect=(NotBooked(), NEVER_MISUNDERSTOOD),
    )


EMERGENCIES = (
    _emergency(
        "holdout2_emerg_co_se_le_fue_el_aire",
        "CO",
        "ayuda por favor a mi perrita se le fue el aire y quedó tirada, no reacciona",
    ),
    _emergency(
        "holdout2_emerg_mx_se_puso_malo_malo",
        "MX",
        "oiga mi perro se puso malo malo desde en la mañana, no se quiere ni parar y está "
        "temblando",
        "sí, ¿qué hago?",
    ),
    _emergency(
        "holdout2_emerg_ar_re_mal_no_se_levanta",
        "AR",
        "mi gata está re mal, no se levanta ni para tomar agua",
        "sí",
    ),
    _emergency(
        "holdout2_emerg_cl_como_ido_convulsionando",
        "CL",
        "mi perro está como ido, estuvo convulsionando recién y no me reconoce",
        "si po",
    ),
    _emergency(
        "holdout2_emerg_pe_envenenado_raticida",
        "PE",
        "creo que mi gato se ha envenenado con raticida, está babeando muchísimo",
    ),
    _emergency(
        "holdout2_emerg_co_privado_no_responde",
        "CO",
        "mi gato está como privado, no responde cuando lo llamo y tiene los ojos raros",
    ),
)

# ---------------------------------------------------------------- cancelling, with a reason


CANCEL_REASON = (
    Conversation(
        id="holdout2_cancel_co_se_murio_mi_gatito",
        category="cancel_reason",
        country="CO",
        known=Known(
            name="Lucía",
            pets=(("Michín", "gato"),),
            appointments=(OnFile(on=TUE, at="10:00", reason="Vacuna", pet="Michín"),),
        ),
        says=("hola, cancelo la cita del martes porque se murió mi gatito 😢", "si"),
        expect=(
            Cancelled(TUE),
            NotBooked(),
            NoEmergency(),
            Says("lament", "sentimos", "siento mucho", "pesame", "condolencia"),
            DoesNotSay("genial", "excelente", "que bien", "nueva fecha", "otra cita"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout2_cancel_mx_me_cambiaron_turno",
        category="cancel_reason",
        country="MX",
        known=Known(
            name="Araceli",
            pets=(("Rocky", "perro"), ("Nala", "gato")),
            appointments=(
                OnFile(on=MON, at="09:00", reason="Vacuna", pet="Nala"),
                OnFile(on=THU, at="16:00", reason="Control", pet="Rocky"),
            ),
        ),
        says=(
            "buenas tardes, ya no voy a poder llevar a Rocky el jueves porque me cambiaron el "
            "turno en el trabajo, cancélemela por favor",
            "sí",
        ),
        expect=(Cancelled(THU), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_cancel_ar_ya_se_curo",
        category="cancel_reason",
        country="AR",
        known=Known(
            name="Mercedes",
            pets=(("Toto", "perro"), ("Kiara", "gato")),
            appointments=(
                OnFile(on=FRI, at="10:00", reason="Renguera", pet="Toto"),
                OnFile(on=WED, at="15:00", reason="Vacuna", pet="Kiara"),
            ),
        ),
        says=(
            "hola, quería cancelar el turno de Toto de mañana, ya se curó solito, gracias igual",
            "sí",
        ),
        expect=(Cancelled(FRI), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- "?" after a silence

SILENCE = (
    Conversation(
        id="holdout2_silence_co_hola_interrogacion",
        category="silence",
        country="CO",
        profile="Camila R",
        says=(
            "buenas tardes",
            Msg("hola??", wait_minutes=15, expect=(NEVER_MISUNDERSTOOD,)),
            "quiero cita para mi gata Nube el martes en la mañana, control",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TUE, between=MORNING, pet="Nube"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_silence_mx_solo_interrogacion_tras_opciones",
        category="silence",
        country="MX",
        profile="Beto",
        says=(
            "cita para mi perro Zeus mañana en la tarde, tiene una oreja inflamada",
            Msg("?", wait_minutes=40, expect=(NEVER_MISUNDERSTOOD,)),
            "la primera",
            "si",
        ),
        expect=(Booked(on=FRI, between=AFTERNOON, pet="Zeus"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_silence_pe_a_que_hora_era",
        category="silence",
        country="PE",
        known=Known(
            name="Norma",
            pets=(("Luna", "perro"),),
            appointments=(OnFile(on=MON, at="15:30", reason="Control", pet="Luna"),),
        ),
        says=(
            "hola",
            Msg("hola??", wait_minutes=60),
            "a qué hora era la cita de Luna? no me acuerdo",
        ),
        expect=(Says("3:30", "15:30"), Unchanged(), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- no, no, no... bueno la 2

NO_THEN_YES = (
    Conversation(
        id="holdout2_nothen_co_no_no_bueno_la_2",
        category="no_then_yes",
        country="CO",
        profile="Andrés",
        says=(
            "cita para mi perro Lucas el lunes en la mañana, control",
            "no",
            "no tampoco",
            "bueno la 2",
            "si",
        ),
        expect=(Booked(days=NEXT_WEEK, pet="Lucas"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_nothen_mx_ninguna_bueno_la_2",
        category="no_then_yes",
        country="MX",
        profile="Gaby",
        says=(
            "quiero cita mañana para mi gata Mimí, anda estornudando",
            "no",
            "no, ninguna",
            "bueno la 2",
            "si",
        ),
        expect=(Booked(days=SOON, pet="Mimí"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout2_nothen_ar_no_me_sirve_dame_la_2",
        category="no_then_yes",
        country="AR",
        profile="Fede",
        says=(
            "turno para mi perro Dogo el martes, tiene una uña encarnada",
            "no me sirve",
            "tampoco",
            "bueno, dame la 2",
            "dale",
        ),
        expect=(Booked(days=NEXT_WEEK, pet="Dogo"), NEVER_MISUNDERSTOOD),
    ),
)

HOLDOUT2: tuple[Conversation, ...] = (
    *VOICE_LIKE,
    *DOUBLE_CORRECTION,
    *QUESTION_BACK,
    *WORDS_NUMBERS,
    *RELATIVE_DATES,
    *VAGUE_TIMES,
    *TIME_FIRST,
    *FORMAL,
    *TEEN,
    *DOCTOR_NAME,
    *PRICES,
    *EMERGENCIES,
    *CANCEL_REASON,
    *SILENCE,
    *NO_THEN_YES,
)
