"""Claude as the assistant's reader of free text (optional; rules answer without it)."""

from backend.integrations.llm.claude import (
    ClaudeInterpreter,
    Interpretation,
    LlmContext,
    get_interpreter,
    set_interpreter,
)

__all__ = [
    "ClaudeInterpreter",
    "Interpretation",
    "LlmContext",
    "get_interpreter",
    "set_interpreter",
]
