"""A held-out corpus: conversations written without reading the assistant's code or the main
corpus, to measure how it does on phrasing it was never tuned to.

Same format and runner as `conversations.py`. Clinic facts the expectations rely on: the doctor
works Monday to Saturday 9:00-12:00 and 14:00-18:00 in 30-minute slots, the clinic opens
Monday to Friday 8:00-12:30 and 14:00-18:00 and Saturday 9:00-13:00 (closed on Sunday), bookings
need an hour's notice; "now" is Thursday 28 January 2027, 3:20 PM in Bogotá, so today's last
slots are 4:30, 5:00 and 5:30 PM. Dates: Fri 29 Jan, Sat 30 Jan, Mon 1 Feb ... Sat 6 Feb.
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
    HandedOff,
    Known,
    Moved,
    Msg,
    NoEmergency,
    NotBooked,
    OnFile,
    Says,
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
    SAT_6,
    THU,
    TODAY,
    TUE,
    WED,
)

# ---------------------------------------------------------------- new numbers: reason and day at once

NEW_BOOKING = (
    Conversation(
        id="holdout_new_co_rabia_lunes_manana",
        category="new_booking",
        country="CO",
        says=(
            "Buenas tardes, quisiera agendar una cita para la vacuna de la rabia de mi perrita "
            "Mila, seria el lunes en la mañana",
            "la primera esta bien",
            "Andrea Gómez",
        ),
        expect=(
            Booked(on=MON, between=MORNING, pet="Mila", reason_has="rabia"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout_new_pe_gato_vomita_viernes",
        category="new_booking",
        country="PE",
        says=(
            "hola buenas, mi gato Felix esta vomitando desde ayer, quiero una cita para mañana "
            "viernes en la tarde xfa",
            "a las 4 si se puede",
            "si",
            "Pilar Huamán",
        ),
        expect=(
            Booked(on=FRI, at="16:00", pet="Felix", reason_has="vomit"),
            ClientName("Pilar Huamán"),
            NEVER_MISUNDERSTOOD,
        ),
        notes="The name it asks for comes in its own message, right after the 'si'.",
    ),
    Conversation(
        id="holdout_new_cl_control_sabado_temprano",
        category="new_booking",
        country="CL",
        says=(
            "hola po, necesito una hora para control de mi perro Bruno este sabado temprano",
            "ya, la primera",
            "Francisca Muñoz",
        ),
        expect=(
            Booked(on=SAT, between=EARLY, pet="Bruno", reason_has="control"),
            NEVER_MISUNDERSTOOD,
        ),
    ),
    Conversation(
        id="holdout_new_mx_esterilizar_martes",
        category="new_booking",
        country="MX",
        says=(
            "Buenas! quiero agendar a mi gatita Nala para esterilizarla, puede ser el martes 2 de "
            "febrero en la mañana?",
            "a las 9 porfa",
            "Si, a nombre de Lupita Hernández",
        ),
        expect=(Booked(on=TUE, at="09:00", pet="Nala", reason_has="esteril"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_new_ar_turno_tos_miercoles",
        category="new_booking",
        country="AR",
        says=(
            "Hola! quería sacar un turno para mi perro Toto que tiene tos hace unos días, el "
            "miércoles a la tarde puede ser?",
            "dale, el de las 3",
            "Martín",
        ),
        expect=(Booked(on=WED, at="15:00", pet="Toto", reason_has="tos"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_new_co_all_caps",
        category="new_booking",
        country="CO",
        says=(
            "BUENAS NECESITO UNA CITA PARA MI GATO SIMBA QUE NO QUIERE COMER, EL VIERNES A LAS 10 AM",
            "SI",
            "CARLOS PEREZ",
        ),
        expect=(Booked(on=FRI, at="10:00", pet="Simba", reason_has="comer"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_new_pe_run_on",
        category="new_booking",
        country="PE",
        says=(
            "hola buenas tardes mire le escribo porque mi perrita se llama Canela y tiene como unas "
            "ronchitas en la barriga y se rasca y se rasca todo el dia entonces queria ver si me la "
            "pueden ver el lunes que viene por la tarde porque en la mañana trabajo",
            "la primera",
            "Rosa Quispe",
        ),
        expect=(Booked(on=MON, between=AFTERNOON, pet="Canela"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_new_mx_emoji_unas",
        category="new_booking",
        country="MX",
        says=(
            "Hola 👋🐶 cita para mi perro Rocky, corte de uñas ✂️ el jueves 4 de feb a las 11 porfa 🙏",
            "sip",
            "Daniela",
        ),
        expect=(Booked(on=THU, at="11:00", pet="Rocky", reason_has="uñas"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- a day, then a time

DAY_THEN_TIME = (
    Conversation(
        id="holdout_daytime_co_viernes_a_las_3",
        category="day_then_time",
        country="CO",
        says=(
            "hola quiero una cita para mi perra Lola, para desparasitarla",
            "el viernes",
            "a las 3",
            "si, Juliana",
        ),
        expect=(Booked(on=FRI, at="15:00", pet="Lola"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_daytime_ar_martes_diez_y_media",
        category="day_then_time",
        country="AR",
        says=(
            "hola, necesito turno para mi gata Mora, control post castración",
            "el martes",
            "10 y media puede ser?",
            "si dale",
        ),
        expect=(Booked(on=TUE, at="10:30", pet="Mora", reason_has="control"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_daytime_cl_jueves_5_tarde",
        category="day_then_time",
        country="CL",
        says=(
            "hola, quiero pedir hora para mi perro Copito, control",
            "pal jueves 4",
            "a las 5 de la tarde porfa",
            "si po",
        ),
        expect=(Booked(on=THU, at="17:00", pet="Copito"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_daytime_mx_lunes_9",
        category="day_then_time",
        country="MX",
        says=(
            "buenas, me ayudas a agendar consulta para mi perrito Chester? le salio una bolita en "
            "el cuello",
            "el lunes",
            "a las 9 de la mañana",
            "si, Fernanda López",
        ),
        expect=(Booked(on=MON, at="09:00", pet="Chester"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_daytime_pe_miercoles_11_30",
        category="day_then_time",
        country="PE",
        says=(
            "buenas, quisiera una cita para mi gato Garfield, chequeo general",
            "miercoles 3",
            "11 y 30",
            "ok",
        ),
        expect=(Booked(on=WED, at="11:30", pet="Garfield"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_daytime_co_hoy_a_las_5",
        category="day_then_time",
        country="CO",
        says=(
            "hola, se puede hoy? es para mi perro Zeus, tiene una heridita en la oreja pero ya no "
            "sangra",
            "a las 5",
            "si",
        ),
        expect=(Booked(on=TODAY, at="17:00", pet="Zeus"), NoEmergency(), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- parts of the day

PART_OF_DAY = (
    Conversation(
        id="holdout_part_pe_manana_temprano",
        category="part_of_day",
        country="PE",
        says=(
            "hola, cita para mi perro Thor, control, mañana temprano",
            "la primera",
            "Jorge",
        ),
        expect=(Booked(on=FRI, between=EARLY, pet="Thor"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_part_co_lunes_por_la_tarde",
        category="part_of_day",
        country="CO",
        says=(
            "buenas, el lunes por la tarde tienen espacio? para mi gata Kiara que esta estornudando "
            "mucho",
            "la ultima",
            "Sofia",
        ),
        expect=(Booked(on=MON, between=AFTERNOON, pet="Kiara"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_part_ar_viernes_mediodia",
        category="part_of_day",
        country="AR",
        says=(
            "hola! tenés turno el viernes al mediodía? es para un control de mi perro Pancho",
            "dale el primero",
            "Lucas",
        ),
        expect=(Booked(on=FRI, between=("11:00", "14:00"), pet="Pancho"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_part_mx_ultima_hora",
        category="part_of_day",
        country="MX",
        says=(
            "hola, tienen cita el martes a ultima hora? salgo tarde del trabajo, es para mi gata "
            "Luna, revision general",
            "la de las 5 y media porfa",
            "Mariana",
        ),
        expect=(Booked(on=TUE, at="17:30", pet="Luna"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_part_cl_tarde_despues_de_las_4",
        category="part_of_day",
        country="CL",
        says=(
            "necesito hora pal miercoles en la tarde, despues de las 4, pa mi gato Tom, control",
            "la primera",
            "si",
        ),
        expect=(Booked(on=WED, between=("16:00", "17:30"), pet="Tom"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- relative and named dates

RELATIVE_DATES = (
    Conversation(
        id="holdout_rel_co_pasado_manana",
        category="relative_date",
        country="CO",
        says=(
            "hola! me regalas una cita para pasado mañana en la mañana? es para mi perrito Oreo, "
            "control de piel",
            "la de las 10",
            "Natalia",
        ),
        expect=(Booked(on=SAT, at="10:00", pet="Oreo"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_ar_lunes_que_viene",
        category="relative_date",
        country="AR",
        says=(
            "hola, para el lunes que viene tenés algo a la mañana? mi gato Simón necesita un control",
            "el de las 11",
            "dale, Agustina",
        ),
        expect=(Booked(on=MON, at="11:00", pet="Simón"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_co_la_otra_semana",
        category="relative_date",
        country="CO",
        says=(
            "buenas, quiero una cita para la otra semana para mi perra Maya, chequeo general, "
            "cualquier dia en la tarde",
            "la primera",
            "Paola Díaz",
        ),
        expect=(Booked(days=NEXT_WEEK, between=AFTERNOON, pet="Maya"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_mx_este_finde",
        category="relative_date",
        country="MX",
        says=(
            "hola, tienen lugar este finde? es para revisarle los oidos a mi perrito Coco",
            "la primera",
            "si, Karla",
        ),
        expect=(Booked(on=SAT, pet="Coco"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_pe_2_de_febrero",
        category="relative_date",
        country="PE",
        says=(
            "buenos dias, quisiera separar una cita para el 2 de febrero a las 4 de la tarde, para "
            "mi gata Mishi, control",
            "si",
            "Carmen",
        ),
        expect=(Booked(on=TUE, at="16:00", pet="Mishi"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_co_jueves_otra_semana",
        category="relative_date",
        country="CO",
        says=(
            "hola, me agenda el control de mi perro Max para el jueves de la otra semana a las 9 am",
            "si",
            "Diego",
        ),
        expect=(Booked(on=THU, at="09:00", pet="Max"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_ar_sabado_6",
        category="relative_date",
        country="AR",
        says=(
            "buenas, quería un turno para el sábado 6 de febrero temprano, para mi gata Olivia, "
            "control",
            "el primero",
            "Sofi",
        ),
        expect=(Booked(on=SAT_6, between=EARLY, pet="Olivia"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_rel_pe_al_toque_manana",
        category="relative_date",
        country="PE",
        says=(
            "hola, quiero cita para mañana en la tarde para mi perrita Frida que anda con diarrea, "
            "confirmeme al toque xfa",
            "la de las 3",
            "ya, Milagros",
        ),
        expect=(Booked(on=FRI, at="15:00", pet="Frida"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- earlier, later

EARLIER_LATER = (
    Conversation(
        id="holdout_earlier_co_viernes_a_las_9",
        category="earlier_later",
        country="CO",
        says=(
            "hola quiero cita el viernes a las 11 para mi gato Pelusa, control",
            "mejor mas temprano, a las 9 se puede?",
            "si",
        ),
        expect=(Booked(on=FRI, at="09:00", pet="Pelusa"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_earlier_pe_mas_temprano_ese_dia",
        category="earlier_later",
        country="PE",
        says=(
            "quiero una cita para el martes a las 5 pm para mi perro Bobby, chequeo",
            "no tendra algo mas temprano ese dia?",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TUE, between=("09:00", "16:30"), pet="Bobby"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_later_ar_lunes_a_la_tarde",
        category="earlier_later",
        country="AR",
        says=(
            "hola, turno para el lunes a la mañana para mi perro Rulo, control",
            "no tenés algo más tarde? a la tarde mejor",
            "el primero",
            "dale",
        ),
        expect=(Booked(on=MON, between=AFTERNOON, pet="Rulo"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_later_mx_ahorita_cinco_y_media",
        category="earlier_later",
        country="MX",
        says=(
            "hola, tienen algo ahorita en la tarde? mi gata Michi tiene un ojito lloroso",
            "mmm algo mas tarde? tipo 5 y media",
            "si",
        ),
        expect=(Booked(on=TODAY, at="17:30", pet="Michi"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_earlier_cl_antes_de_las_10",
        category="earlier_later",
        country="CL",
        says=(
            "hola, necesito hora pal sabado antes de las 10, pa mi perro Tobi, control",
            "la primera",
            "si po",
        ),
        expect=(Booked(on=SAT, between=("09:00", "09:30"), pet="Tobi"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_earlier_co_lo_antes_posible",
        category="earlier_later",
        country="CO",
        says=(
            "hola, necesito cita lo antes posible para mi gato Milo, cojea un poquito de una pata",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TODAY, pet="Milo"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- rejecting offers

REJECT_OFFER = (
    Conversation(
        id="holdout_reject_co_lunes_no_mejor_miercoles",
        category="reject_offer",
        country="CO",
        says=(
            "hola quiero cita el lunes en la tarde para mi perro Bruno, control",
            "no puedo el lunes al final, mejor el miercoles en la tarde",
            "la primera",
            "si",
        ),
        expect=(Booked(on=WED, between=AFTERNOON, pet="Bruno"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_reject_ar_ninguno_jueves",
        category="reject_offer",
        country="AR",
        says=(
            "hola, turno para mi gata Luna el martes a la mañana, control",
            "ninguno me sirve, tenés el jueves a la tarde?",
            "el de las 4",
            "si",
        ),
        expect=(Booked(on=THU, at="16:00", pet="Luna"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_reject_pe_no_me_acomoda_sabado",
        category="reject_offer",
        country="PE",
        says=(
            "buenas, cita para mi perrito Kiko el viernes, tiene pulgas",
            "no me acomoda ninguna, el sabado?",
            "la de las 10",
            "ya",
        ),
        expect=(Booked(on=SAT, at="10:00", pet="Kiko"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_reject_mx_no_puedo_lunes_3",
        category="reject_offer",
        country="MX",
        says=(
            "quiero agendar revision para mi perra Canica mañana en la mañana",
            "no, a esa hora no puedo, el lunes 1 a las 3?",
            "si",
            "Alejandra",
        ),
        expect=(Booked(on=MON, at="15:00", pet="Canica"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_reject_cl_summary_otro_dia",
        category="reject_offer",
        country="CL",
        says=(
            "hola, hora para mi gato Cachupín el jueves 4 a las 10, control",
            "no, espera, mejor el viernes 5 a la misma hora",
            "si",
        ),
        expect=(Booked(on=FRI_5, at="10:00", pet="Cachupín"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_reject_cl_pucha_mejor_tarde",
        category="reject_offer",
        country="CL",
        says=(
            "hola, hora pa mi perro Manchas el lunes a las 11, control",
            "pucha no, mejor a las 4 de la tarde",
            "si po",
        ),
        expect=(Booked(on=MON, at="16:00", pet="Manchas"), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- pets

PETS = (
    Conversation(
        id="holdout_pet_change_new_number",
        category="pets",
        country="CO",
        says=(
            "hola quiero cita para mi gato Tigre el viernes a las 10, control",
            "ay no perdon, es para mi perrita Kira no para el gato",
            "si",
        ),
        expect=(Booked(on=FRI, at="10:00", pet="Kira"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_pet_known_choose_rocky",
        category="pets",
        country="PE",
        known=Known(name="Rosa", pets=(("Michi", "gato"), ("Rocky", "perro"))),
        says=(
            "hola quiero cita para Rocky el martes en la tarde, tiene otitis",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TUE, between=AFTERNOON, pet="Rocky"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_pet_known_switch_to_tango",
        category="pets",
        country="AR",
        known=Known(name="Florencia", pets=(("Uma", "perro"), ("Tango", "gato"))),
        says=(
            "hola! turno para Uma el jueves 4 a las 10, control",
            "uy no, me equivoqué, es para Tango",
            "si",
        ),
        expect=(Booked(on=THU, at="10:00", pet="Tango"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_pet_known_which_one",
        category="pets",
        country="CO",
        known=Known(name="Andrés", pets=(("Luna", "perro"), ("Sol", "gato"))),
        says=(
            "hola, quiero cita el viernes en la tarde para un control",
            "es para Sol, el gato",
            "la primera",
            "si",
        ),
        expect=(Booked(on=FRI, between=AFTERNOON, pet="Sol"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_two_pets_new_number",
        category="pets",
        known_gap="two pets in one request: only Max is booked, Toby is dropped without a word",
        country="MX",
        says=(
            "hola, quiero cita para mis dos perritos Max y Toby, los dos para revision general, el "
            "sabado en la mañana",
            "la primera",
            "si",
        ),
        expect=(Says("Max"), Says("Toby"), NEVER_MISUNDERSTOOD),
        notes="Two pets: the clinic sees both (one double slot or two); each is named.",
    ),
)

# ---------------------------------------------------------------- cancelling and moving

CANCEL_MOVE = (
    Conversation(
        id="holdout_cancel_co_by_day",
        category="cancel_move",
        country="CO",
        known=Known(
            name="Valentina",
            pets=(("Max", "perro"), ("Nina", "gato")),
            appointments=(
                OnFile(on=TUE, at="10:00", reason="Control", pet="Max"),
                OnFile(on=THU, at="15:00", reason="Vacuna", pet="Nina"),
            ),
        ),
        says=("hola, necesito cancelar la cita del martes", "si"),
        expect=(Cancelled(TUE), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_cancel_pe_by_pet",
        category="cancel_move",
        country="PE",
        known=Known(
            name="Rosa",
            pets=(("Michi", "gato"), ("Rocky", "perro")),
            appointments=(
                OnFile(on=TUE, at="10:00", reason="Control", pet="Michi"),
                OnFile(on=THU, at="15:00", reason="Vacuna", pet="Rocky"),
            ),
        ),
        says=("buenas, ya no voy a poder llevar a Michi, cancelame su cita xfa", "si"),
        expect=(Cancelled(TUE), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_cancel_ar_both",
        category="cancel_move",
        country="AR",
        known=Known(
            name="Martín",
            pets=(("Toto", "perro"), ("Lola", "perro")),
            appointments=(
                OnFile(on=FRI, at="10:00", reason="Control", pet="Toto"),
                OnFile(on=MON, at="16:00", reason="Baño medicado", pet="Lola"),
            ),
        ),
        says=("hola, cancelá los dos turnos porfa, nos vamos de viaje", "sí, los dos"),
        expect=(Cancelled(FRI, MON), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_move_co_by_pet",
        category="cancel_move",
        country="CO",
        known=Known(
            name="Camilo",
            pets=(("Bruno", "perro"), ("Kitty", "gato")),
            appointments=(
                OnFile(on=TUE, at="10:00", reason="Control", pet="Bruno"),
                OnFile(on=WED, at="15:00", reason="Vacuna", pet="Kitty"),
            ),
        ),
        says=(
            "hola, la cita de Kitty me la puedes pasar para el viernes 5 en la mañana?",
            "la primera",
            "si",
        ),
        expect=(Moved(source=WED, to=FRI_5, between=MORNING), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_move_mx_by_day",
        category="cancel_move",
        country="MX",
        known=Known(
            name="Lupita",
            pets=(("Nala", "gato"), ("Rocky", "perro")),
            appointments=(
                OnFile(on=MON, at="09:00", reason="Control", pet="Nala"),
                OnFile(on=THU, at="11:00", reason="Desparasitación", pet="Rocky"),
            ),
        ),
        says=(
            "oye, la cita del jueves la puedo cambiar para este sabado temprano?",
            "la primera",
            "si",
        ),
        expect=(Moved(source=THU, to=SAT, between=EARLY), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_move_cl_same_day_afternoon",
        category="cancel_move",
        country="CL",
        known=Known(
            name="Francisca",
            pets=(("Bruno", "perro"),),
            appointments=(OnFile(on=TUE, at="10:00", reason="Control", pet="Bruno"),),
        ),
        says=(
            "hola, puedo cambiar la hora de Bruno? el mismo dia pero en la tarde",
            "la de las 3",
            "si po",
        ),
        expect=(Moved(source=TUE, to=TUE, at="15:00"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_move_ar_misma_hora_otro_dia",
        category="cancel_move",
        country="AR",
        known=Known(
            name="Agustina",
            pets=(("Simón", "gato"),),
            appointments=(
                OnFile(on=MON, at="11:00", reason="Control", pet="Simón"),
                OnFile(on=FRI_5, at="16:00", reason="Vacuna", pet="Simón"),
            ),
        ),
        says=("hola, el turno del lunes lo podemos pasar al martes a la misma hora?", "si"),
        expect=(Moved(source=MON, to=TUE, at="11:00"), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_cancel_pe_manana_no_puedo",
        category="cancel_move",
        country="PE",
        known=Known(
            name="Carmen",
            pets=(("Mishi", "gato"),),
            appointments=(OnFile(on=FRI, at="15:00", reason="Control", pet="Mishi"),),
        ),
        says=("hola, mañana no voy a poder ir con Mishi, cancela nomas", "si", "gracias"),
        expect=(Cancelled(FRI), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- emergencies in plain words


def _emergency(id: str, country: str, first: str, then: str = "si") -> Conversation:
    return Conversation(
        id=id,
        category="emergency",
        country=country,
        says=(Msg(first, expect=(AsksEmergency(),)), then),
        expect=(NotBooked(), NEVER_MISUNDERSTOOD),
    )


EMERGENCIES = (
    _emergency(
        "holdout_emerg_co_raticida",
        "CO",
        "AYUDA mi perro se comio unas pastillas de raticida que habia en el patio, que hago???",
    ),
    _emergency(
        "holdout_emerg_ar_atropellado",
        "AR",
        "lo atropelló un auto a mi perro, está tirado y no se levanta, qué hago",
        "sí, por favor",
    ),
    _emergency(
        "holdout_emerg_mx_ataque_espuma",
        "MX",
        "mi perrita esta temblando toda y se puso tiesa, echa espuma por la boca, creo q le dio "
        "un ataque",
    ),
    _emergency(
        "holdout_emerg_pe_lengua_morada",
        "PE",
        "mi gato respira con la boca abierta y tiene la lengua morada, no puede respirar bien",
    ),
    _emergency(
        "holdout_emerg_cl_sangra_no_para",
        "CL",
        "mi perro se cortó con un vidrio en la pata y sangra un montón, no para",
        "si po",
    ),
    _emergency(
        "holdout_emerg_co_se_trago_media",
        "CO",
        "mi perrito se trago una media entera hace un rato y ahora esta vomitando",
    ),
    _emergency(
        "holdout_emerg_ar_parto_no_sale",
        "AR",
        "mi perra está pariendo hace como 3 horas, ya salió un cachorrito pero hay otro que no "
        "sale y ella está muy cansada",
        "sí",
    ),
    _emergency(
        "holdout_emerg_mx_caps_se_cayo",
        "MX",
        "URGENTE MI GATO SE CAYO DEL CUARTO PISO Y NO SE MUEVE",
        "SI",
    ),
    _emergency(
        "holdout_emerg_pe_chocolate",
        "PE",
        "hola buenas, disculpe la molestia, mi perrito se comio una barra entera de chocolate "
        "hace media hora y es chiquito, ya esta todo acelerado",
    ),
    Conversation(
        id="holdout_emerg_co_during_booking_aguja",
        category="emergency",
        country="CO",
        says=(
            "hola quiero cita para el lunes para mi gato Felipe",
            Msg(
                "ay espere, mi gato se acaba de tragar un hilo con aguja y todo",
                expect=(AsksEmergency(),),
            ),
            "si",
        ),
        expect=(NotBooked(), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- not emergencies, said with negations

NOT_EMERGENCIES = (
    Conversation(
        id="holdout_noemerg_co_no_es_urgente",
        category="not_emergency",
        country="CO",
        says=(
            "hola, no es urgente pero quiero que me revisen a mi gata Misha porque estornuda, el "
            "martes en la tarde puede ser",
            "la primera",
            "si",
        ),
        expect=(Booked(on=TUE, between=AFTERNOON, pet="Misha"), NoEmergency(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_noemerg_ar_no_esta_sangrando",
        category="not_emergency",
        country="AR",
        says=(
            "hola, mi perro Ramón se lastimó la pata jugando pero no está sangrando ni nada, camina "
            "bien, quería un turno para mañana a la mañana así lo revisan",
            "el primero",
            "dale",
        ),
        expect=(Booked(on=FRI, between=MORNING, pet="Ramón"), NoEmergency(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_noemerg_mx_nada_grave",
        category="not_emergency",
        country="MX",
        says=(
            "hola, quiero cita para el chequeo anual de mi perro Rocco, el viernes 5 a las 10. No es "
            "nada grave, no esta enfermo",
            "si",
        ),
        expect=(Booked(on=FRI_5, at="10:00", pet="Rocco"), NoEmergency(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_noemerg_pe_convulsion_hace_un_mes",
        category="not_emergency",
        country="PE",
        says=(
            "buenas, mi perrita Lucky tuvo una convulsion hace un mes, ahorita esta bien, quiero un "
            "control con la doctora el lunes en la mañana",
            "la primera",
            "si",
        ),
        expect=(Booked(on=MON, between=MORNING, pet="Lucky"), NoEmergency(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_noemerg_cl_tranqui_desparasitar",
        category="not_emergency",
        country="CL",
        says=(
            "tranqui, no es emergencia, solo quiero desparasitar a mi perrita Pelusa el sabado "
            "temprano",
            "la primera",
            "si po",
        ),
        expect=(Booked(on=SAT, between=EARLY, pet="Pelusa"), NoEmergency(), NEVER_MISUNDERSTOOD),
    ),
)

# ---------------------------------------------------------------- asking for a person

HANDOFF = (
    Conversation(
        id="holdout_handoff_co_una_persona",
        category="handoff",
        country="CO",
        says=("hola, puedo hablar con una persona por favor?", "si porfa"),
        expect=(HandedOff(), NotBooked()),
    ),
    Conversation(
        id="holdout_handoff_mx_la_doctora_resultados",
        category="handoff",
        country="MX",
        says=(
            "quiero hablar directamente con la doctora, es sobre los resultados de los examenes de "
            "mi perro",
            "gracias",
        ),
        expect=(HandedOff(), NotBooked()),
    ),
    Conversation(
        id="holdout_handoff_ar_no_quiero_bot",
        category="handoff",
        country="AR",
        says=("no quiero hablar con un bot, pasame con alguien de la clínica", "dale"),
        expect=(HandedOff(), NotBooked()),
    ),
    Conversation(
        id="holdout_handoff_pe_mid_booking",
        category="handoff",
        country="PE",
        says=(
            "hola, cita para mi gato",
            "mejor comuniqueme con una persona de la clinica xfa",
        ),
        expect=(HandedOff(), NotBooked()),
    ),
)

# ---------------------------------------------------------------- questions about the clinic

CLINIC_INFO = (
    Conversation(
        id="holdout_info_co_direccion",
        category="clinic_info",
        country="CO",
        says=("hola, donde queda la clinica?", "ok gracias"),
        expect=(Says("Calle 85"), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_info_mx_telefono",
        category="clinic_info",
        country="MX",
        says=("me pasas el telefono de la clinica para llamar?", "ok gracias"),
        expect=(Says("4567890", "456 7890", "456-7890"), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_info_ar_sabados_hasta_que_hora",
        category="clinic_info",
        country="AR",
        says=(
            "hola, los sábados abren? hasta qué hora?",
            Msg("genial gracias", expect=(DoesNotSay("motivo"),)),
        ),
        expect=(Says("1:00 PM", "13:00", "1 PM", "1:00 p. m."), NotBooked(), NEVER_MISUNDERSTOOD),
    ),
    Conversation(
        id="holdout_info_cl_domingo",
        category="clinic_info",
        country="CL",
        says=(
            "k dias atienden? el domingo tambien?",
            Msg("ya, gracias", expect=(DoesNotSay("motivo"),)),
        ),
        expect=(
            Says("cerrad", "no atendemos", "no abrimos", "no hay atencion"),
            Says("lunes"),
            NotBooked(),
            NEVER_MISUNDERSTOOD,
        ),
    ),
)

# ---------------------------------------------------------------- thanks and goodbye after booking

COURTESY = (
    Conversation(
        id="holdout_thanks_co_gracias_chao",
        category="courtesy",
        country="CO",
        says=(
            "hola, cita para mi perro Rufo el lunes en la tarde, control",
            "la de las 3",
            "si, Sebastián",
            Msg("muchas gracias!! 🙏", expect=(NEVER_MISUNDERSTOOD, DoesNotSay("motivo"))),
        ),
        expect=(Booked(on=MON, at="15:00", pet="Rufo"),),
    ),
    Conversation(
        id="holdout_thanks_ar_nos_vemos",
        category="courtesy",
        country="AR",
        says=(
            "turno para mi gata Lola el viernes 5 a la mañana, control",
            "el primero",
            "si",
            Msg(
                "genial, mil gracias! nos vemos", expect=(NEVER_MISUNDERSTOOD, DoesNotSay("motivo"))
            ),
        ),
        expect=(Booked(on=FRI_5, between=MORNING, pet="Lola"),),
    ),
    Conversation(
        id="holdout_thanks_co_chevere",
        category="courtesy",
        country="CO",
        says=(
            "hola quiero cita para mi gata Nieves mañana a las 4 pm, control",
            "si",
            Msg(
                "listo chevere, muchas gracias, hasta luego",
                expect=(NEVER_MISUNDERSTOOD, DoesNotSay("motivo")),
            ),
        ),
        expect=(Booked(on=FRI, at="16:00", pet="Nieves"),),
    ),
)

# ---------------------------------------------------------------- voice notes

VOICE_NOTES = (
    Conversation(
        id="holdout_voice_co_then_text",
        category="voice_note",
        country="CO",
        says=(
            Msg("", media="audio/ogg", expect=(Says("escrib"), NotBooked())),
            "perdon, le escribo: quiero cita para mi perro Tommy el lunes en la tarde, control",
            "la primera",
            "si",
        ),
        expect=(Booked(on=MON, between=AFTERNOON, pet="Tommy"),),
    ),
    Conversation(
        id="holdout_voice_mx_only_audio",
        category="voice_note",
        country="MX",
        says=(Msg("", media="audio/ogg"), Msg("", media="audio/ogg", wait_minutes=1)),
        expect=(Says("escrib"), NotBooked()),
    ),
)

HOLDOUT: tuple[Conversation, ...] = (
    *NEW_BOOKING,
    *DAY_THEN_TIME,
    *PART_OF_DAY,
    *RELATIVE_DATES,
    *EARLIER_LATER,
    *REJECT_OFFER,
    *PETS,
    *CANCEL_MOVE,
    *EMERGENCIES,
    *NOT_EMERGENCIES,
    *HANDOFF,
    *CLINIC_INFO,
    *COURTESY,
    *VOICE_NOTES,
)
