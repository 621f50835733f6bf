"""Claude (anthropic SDK, tool use) classifies a client's message and extracts what it says.

Claude is asked to end every exchange by calling `interpret_message`, whose
input is the structured reading (intent, yes/no, chosen option, emergency,
names, a short reason, and the booking details the message carries: dates,
time, part of day, earlier/later, rejection of the offers), in the shape the
rules read them so both fill the same booking draft. Before that it may call read-only tools the engine
runs through our services (`check_availability`, `list_appointments`), so its
reading can rest on real free slots and the client's real appointments.
Writing (booking, moving, cancelling) stays with the conversation engine,
which only writes after the client's explicit "sí".

Anything unexpected (no key, timeout, HTTP error, a malformed answer) returns
None and the rules answer instead; the whole exchange gets one deadline
(ANTHROPIC_TIMEOUT_S, 10 s).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from time import monotonic
from typing import Any

from backend.core.config import settings
from backend.domain.language.emergency import CATEGORY_LABELS
from backend.domain.language.intents import Intent
from backend.domain.language.when import PartOfDay, Shift

log = logging.getLogger(__name__)

INTENTS = tuple(intent.value for intent in Intent)  # the rules' intents, one list
EMERGENCY_CATEGORIES = tuple(CATEGORY_LABELS)
PARTS_OF_DAY = tuple(part.value for part in PartOfDay)
SHIFTS = tuple(shift.value for shift in Shift)
MAX_ROUNDS = 3

ToolRunner = Callable[[str, dict[str, Any]], Any]
"""Runs a read-only tool by name with Claude's input; returns something JSON-serialisable."""

INTERPRET_TOOL: dict[str, Any] = {
    "name": "interpret_message",
    "description": (
        "Report how to read the client's latest WhatsApp message. Always call this last, once."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "intent": {
                "type": "string",
                "enum": list(INTENTS),
                "description": "What the client wants with this message.",
            },
            "yes_no": {
                "type": "string",
                "enum": ["yes", "no", "unclear"],
                "description": "The answer when the assistant asked a yes/no question.",
            },
            "slot_option": {
                "type": "integer",
                "minimum": 1,
                "description": "Number of the offered option the client chose, if any.",
            },
            "wants_other_slots": {"type": "boolean"},
            "is_emergency": {
                "type": "boolean",
                "description": "The pet's life may be at risk right now.",
            },
            "emergency_category": {"type": "string", "enum": list(EMERGENCY_CATEGORIES)},
            "client_name": {
                "type": "string",
                "description": "The client's own name, if they gave it.",
            },
            "pet_name": {"type": "string"},
            "pet_species": {"type": "string", "description": "perro, gato, ave, conejo..."},
            "reason_summary": {
                "type": "string",
                "description": "Consultation reason in 3-6 Spanish words, e.g. "
                "'Revisión de masa en cuello'.",
            },
            "dates": {
                "type": "array",
                "items": {"type": "string", "format": "date"},
                "maxItems": 14,
                "description": "Local dates (YYYY-MM-DD) the client asks for in this message, "
                "resolved from 'Ahora' ('el jueves', 'la otra semana' = each day of it), "
                "most wanted first. Empty when no day is named.",
            },
            "time": {
                "type": "string",
                "pattern": "^[0-2][0-9]:[0-5][0-9]$",
                "description": "Local clock time (HH:MM, 24 h) the client asks for, if any.",
            },
            "part_of_day": {"type": "string", "enum": list(PARTS_OF_DAY)},
            "shift": {
                "type": "string",
                "enum": list(SHIFTS),
                "description": "The client wants something earlier or later than what was offered.",
            },
            "rejects_offers": {
                "type": "boolean",
                "description": "The client says none of the offered options suits them.",
            },
        },
        "required": ["intent"],
    },
}

READ_TOOLS: list[dict[str, Any]] = [
    {
        "name": "check_availability",
        "description": "Free appointment times of the clinic on a local date (YYYY-MM-DD).",
        "input_schema": {
            "type": "object",
            "properties": {"date": {"type": "string", "description": "YYYY-MM-DD"}},
            "required": ["date"],
        },
    },
    {
        "name": "list_appointments",
        "description": "The client's upcoming appointments.",
        "input_schema": {"type": "object", "properties": {}},
    },
]

SYSTEM_PROMPT = (
    "Eres el lector de mensajes del asistente de WhatsApp de una clínica veterinaria en "
    "Latinoamérica. No respondes al cliente: solo interpretas su último mensaje y llamas a "
    "interpret_message. Puedes consultar check_availability o list_appointments si lo necesitas "
    "para entender qué opción eligió. Resuelve las fechas relativas ('mañana', 'el jueves', "
    "'la otra semana') a partir de 'Ahora', en la hora local de la clínica. Marca is_emergency solo si la vida de la mascota puede "
    "estar en riesgo ahora (veneno, atropello, no respira, convulsiones, sangrado fuerte, parto "
    "complicado)."
)


@dataclass(frozen=True)
class LlmContext:
    clinic_name: str
    state: str
    now_local: str
    message: str
    offered: Sequence[str] = ()
    history: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Interpretation:
    intent: str | None = None
    yes_no: str | None = None
    slot_option: int | None = None
    wants_other_slots: bool | None = None
    is_emergency: bool | None = None
    emergency_category: str | None = None
    client_name: str | None = None
    pet_name: str | None = None
    pet_species: str | None = None
    reason_summary: str | None = None
    dates: tuple[date, ...] = ()
    clock: time | None = None
    part_of_day: str | None = None
    shift: str | None = None
    rejects_offers: bool | None = None
    tool_calls: tuple[str, ...] = field(default=())

    @classmethod
    def from_input(cls, data: dict[str, Any], tool_calls: Sequence[str]) -> Interpretation:
        def text(key: str, limit: int = 120) -> str | None:
            value = data.get(key)
            return str(value).strip()[:limit] or None if isinstance(value, str) else None

        intent = data.get("intent")
        yes_no = data.get("yes_no")
        option = data.get("slot_option")
        category = data.get("emergency_category")
        return cls(
            intent=intent if intent in INTENTS else None,
            yes_no=yes_no if yes_no in ("yes", "no", "unclear") else None,
            slot_option=option
            if isinstance(option, int) and not isinstance(option, bool) and option >= 1
            else None,
            wants_other_slots=data.get("wants_other_slots")
            if isinstance(data.get("wants_other_slots"), bool)
            else None,
            is_emergency=data.get("is_emergency")
            if isinstance(data.get("is_emergency"), bool)
            else None,
            emergency_category=category if category in EMERGENCY_CATEGORIES else None,
            client_name=text("client_name", 200),
            pet_name=text("pet_name", 100),
            pet_species=text("pet_species", 40),
            reason_summary=text("reason_summary", 200),
            dates=_dates(data.get("dates")),
            clock=_clock(data.get("time")),
            part_of_day=data.get("part_of_day")
            if data.get("part_of_day") in PARTS_OF_DAY
            else None,
            shift=data.get("shift") if data.get("shift") in SHIFTS else None,
            rejects_offers=data.get("rejects_offers")
            if isinstance(data.get("rejects_offers"), bool)
            else None,
            tool_calls=tuple(tool_calls),
        )


def _dates(value: Any) -> tuple[date, ...]:
    """Claude's dates that parse, without repeats; nonsense is dropped, not trusted."""
    if not isinstance(value, list):
        return ()
    found: list[date] = []
    for item in value[:14]:
        try:
            day = date.fromisoformat(str(item))
        except ValueError:
            continue
        if day not in found:
            found.append(day)
    return tuple(found)


def _clock(value: Any) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) and len(value) == 5 else None
    except ValueError:
        return None


def _prompt(ctx: LlmContext) -> str:
    lines = [
        f"Clínica: {ctx.clinic_name}",
        f"Ahora: {ctx.now_local}",
        f"Estado de la conversación: {ctx.state}",
    ]
    if ctx.offered:
        lines.append("Opciones ofrecidas al cliente:")
        lines += [f"{i}. {label}" for i, label in enumerate(ctx.offered, start=1)]
    if ctx.history:
        lines.append("Conversación reciente:")
        lines += [f"{who}: {text}" for who, text in ctx.history]
    lines.append(f"Último mensaje del cliente: {ctx.message}")
    return "\n".join(lines)


class ClaudeInterpreter:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = "claude-sonnet-4-6",
        timeout_s: float = 10.0,
    ) -> None:
        import anthropic

        self.model = model
        self.timeout_s = timeout_s
        self.client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )

    def interpret(
        self, ctx: LlmContext, run_tool: ToolRunner | None = None
    ) -> Interpretation | None:
        """Claude's reading of the message, or None on any failure (the rules answer)."""
        try:
            return self._interpret(ctx, run_tool)
        except Exception as exc:
            log.warning("Claude unavailable, answering with rules: %s", exc.__class__.__name__)
            return None

    def _interpret(self, ctx: LlmContext, run_tool: ToolRunner | None) -> Interpretation | None:
        deadline = monotonic() + self.timeout_s
        tools = [INTERPRET_TOOL, *(READ_TOOLS if run_tool else [])]
        messages: list[dict[str, Any]] = [{"role": "user", "content": _prompt(ctx)}]
        called: list[str] = []
        for _ in range(MAX_ROUNDS):
            remaining = deadline - monotonic()
            if remaining <= 0.05:
                raise TimeoutError("Claude exchange over its deadline")
            response = self.client.messages.create(  # type: ignore[call-overload]
                model=self.model,
                max_tokens=400,
                system=SYSTEM_PROMPT,
                tools=tools,
                tool_choice={"type": "any"},
                messages=messages,
                timeout=remaining,
            )
            uses = [
                block for block in response.content if getattr(block, "type", None) == "tool_use"
            ]
            if not uses:
                return None
            for block in uses:
                if block.name == INTERPRET_TOOL["name"]:
                    return Interpretation.from_input(dict(block.input or {}), called)
            results = []
            for block in uses:
                called.append(block.name)
                output = self._run(run_tool, block.name, dict(block.input or {}))
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.id,
                        "content": json.dumps(output, ensure_ascii=False, default=str),
                    }
                )
            messages.append(
                {"role": "assistant", "content": [b.model_dump() for b in response.content]}
            )
            messages.append({"role": "user", "content": results})
        return None

    @staticmethod
    def _run(run_tool: ToolRunner | None, name: str, data: dict[str, Any]) -> Any:
        if run_tool is None or name not in {t["name"] for t in READ_TOOLS}:
            return {"error": f"unknown tool {name}"}
        try:
            return run_tool(name, data)
        except Exception as exc:  # a tool failing is information for Claude, not a crash
            log.info("tool %s failed for Claude: %r", name, exc)
            return {"error": "no disponible"}


_interpreter: ClaudeInterpreter | None = None
_configured_key: str | None = None


def get_interpreter() -> ClaudeInterpreter | None:
    """Claude when ANTHROPIC_API_KEY is set, else None (rules only)."""
    global _interpreter, _configured_key
    key = settings.ANTHROPIC_API_KEY
    if not key:
        return None
    if _interpreter is None or _configured_key != key:
        _interpreter = ClaudeInterpreter(
            api_key=key,
            base_url=settings.ANTHROPIC_BASE_URL,
            model=settings.ANTHROPIC_MODEL,
            timeout_s=settings.ANTHROPIC_TIMEOUT_S,
        )
        _configured_key = key
    return _interpreter


def set_interpreter(interpreter: ClaudeInterpreter | None) -> None:
    """Drops the cached client (tests change the base URL or key)."""
    global _interpreter, _configured_key
    _interpreter = interpreter
    _configured_key = settings.ANTHROPIC_API_KEY if interpreter else None
