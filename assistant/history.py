"""Conversation history is input like the question: checked for shape and size, with one clear error.

    validate_history(history, max_chars) -> list[{"role": "user"|"assistant", "content": str}]

Accepted: None or a list of mappings, each with a "role" ("user", "assistant"; "system" is
dropped) and a "content" that is a string or a list of text parts ({"type": "text", "text": ...},
as Gradio sends them). Anything else raises InvalidHistoryError naming the item and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.errors import InvalidHistoryError

ROLES = ("user", "assistant")
SHAPE = 'a list of {"role": "user" | "assistant", "content": "..."} messages'


def _text(content: Any, index: int) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, Mapping) and part.get("type") not in (None, "text"):
                continue  # files, images: not text to read the question with
            else:
                raise InvalidHistoryError(f"history item {index}: content parts must be text; history must be {SHAPE}")
        return " ".join(parts)
    raise InvalidHistoryError(f"history item {index}: content is a {type(content).__name__}, not text; "
                              f"history must be {SHAPE}")


def validate_history(history: Any, max_chars: int) -> list[dict[str, str]]:
    """The history as clean {"role", "content"} dicts, or InvalidHistoryError saying what is wrong."""
    if history is None:
        return []
    if isinstance(history, (str, bytes, bytearray)):
        raise InvalidHistoryError(f"history is a {type(history).__name__}; it must be {SHAPE}")
    if isinstance(history, Mapping) or not isinstance(history, Sequence):
        raise InvalidHistoryError(f"history is a {type(history).__name__}; it must be {SHAPE}")
    out: list[dict[str, str]] = []
    for i, item in enumerate(history):
        if not isinstance(item, Mapping):
            raise InvalidHistoryError(f"history item {i} is a {type(item).__name__}, not a message; "
                                      f"history must be {SHAPE}")
        role = item.get("role")
        if role is None:
            raise InvalidHistoryError(f"history item {i} has no role; history must be {SHAPE}")
        if not isinstance(role, str) or role.strip().lower() not in (*ROLES, "system"):
            raise InvalidHistoryError(f"history item {i} has role {str(role)[:20]!r}; use 'user' or 'assistant'")
        if "content" not in item:
            raise InvalidHistoryError(f"history item {i} has no content; history must be {SHAPE}")
        content = _text(item.get("content"), i)
        if len(content) > max_chars:
            raise InvalidHistoryError(f"history item {i} has {len(content):,} characters, over the limit of "
                                      f"{max_chars:,} (ASSISTANT_MAX_HISTORY_CHARS); shorten or drop that turn")
        try:
            content.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidHistoryError(f"history item {i} contains characters that are not valid text "
                                      "(a lone surrogate or undecodable bytes)") from None
        role = role.strip().lower()
        if role == "system":
            continue  # instructions in the history are not the user's to give
        out.append({"role": role, "content": content})
    return out
