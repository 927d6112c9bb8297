"""Reading a conversation's history: the earlier user turns, in order.

Whether a turn leans on them, and how it is completed, is the plan stage's decision
(assistant/pipeline/plan.py); this module only extracts the turns from the shapes the CLI, the
UI (Gradio's content parts) and the Python API pass in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def user_turns(history: Sequence[dict[str, Any]] | None) -> list[str]:
    """The text of every user turn, oldest first; assistant turns and empty turns are skipped."""
    turns = []
    for message in history or []:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):  # Gradio-style parts
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if isinstance(content, str) and content.strip():
            turns.append(content.strip())
    return turns
