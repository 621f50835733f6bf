"""Understanding clients' Spanish: intents, yes/no, emergencies, slot choices,
names, pets and follow-up answers. Pure functions, no I/O."""

from backend.domain.language.emergency import (
    EMERGENCY_KEYWORDS,
    FIRST_AID,
    EmergencyDetection,
    detect_emergency,
    first_aid_advice,
)
from backend.domain.language.entities import (
    PetMention,
    extract_client_name,
    extract_name_reply,
    extract_pet,
)
from backend.domain.language.follow_up_analysis import (
    NEGATIVE_INDICATORS,
    POSITIVE_INDICATORS,
    FollowUpAnalysis,
    analyze_follow_up_response,
)
from backend.domain.language.intents import Intent, contains_greeting, detect_intent
from backend.domain.language.normalize import canonical_text, normalize
from backend.domain.language.slot_choice import parse_slot_choice, wants_other_slots
from backend.domain.language.when import WhenHint, parse_when, warm_up
from backend.domain.language.yes_no import YesNo, detect_yes_no

__all__ = [
    "EMERGENCY_KEYWORDS",
    "FIRST_AID",
    "NEGATIVE_INDICATORS",
    "POSITIVE_INDICATORS",
    "EmergencyDetection",
    "FollowUpAnalysis",
    "Intent",
    "PetMention",
    "WhenHint",
    "YesNo",
    "analyze_follow_up_response",
    "canonical_text",
    "contains_greeting",
    "detect_emergency",
    "detect_intent",
    "detect_yes_no",
    "extract_client_name",
    "extract_name_reply",
    "extract_pet",
    "first_aid_advice",
    "normalize",
    "parse_slot_choice",
    "parse_when",
    "wants_other_slots",
    "warm_up",
]
