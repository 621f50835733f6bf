"""The corpus's calendar: the frozen week every conversation is written against.

"Now" is Thursday 28 January 2027, 3:20 PM in Bogotá (tests/services/assistant/conftest.py).
Local dates as "YYYY-MM-DD" and [start, end] windows of local times as "HH:MM".
"""

TODAY = "2027-01-28"  # Thursday
FRI = "2027-01-29"
SAT = "2027-01-30"
MON = "2027-02-01"
TUE = "2027-02-02"
WED = "2027-02-03"
THU = "2027-02-04"  # next week's Thursday
FRI_5 = "2027-02-05"
SAT_6 = "2027-02-06"
MON_8 = "2027-02-08"
TUE_9 = "2027-02-09"
WED_10 = "2027-02-10"
NEXT_WEEK = (MON, TUE, WED, THU, FRI_5, SAT_6)
IN_TWO_WEEKS = ("2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13")

MORNING = ("09:00", "12:00")
EARLY = ("09:00", "10:00")
AFTERNOON = ("14:00", "18:00")
