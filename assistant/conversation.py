"""Resolve a follow-up ("and in Qinghai?", "which company runs the largest one?") against
earlier turns before retrieval, without a language model.

A turn that leans on context (a leading conjunction, a pronoun, or too few content words
to stand alone) is read together with the resolved question before it; a self-contained
question starts a new thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from index.text import keyword_tokens

_LEADING = re.compile(r"^\s*(and|but|also|what about|how about|what of|then|so|same|et|mais|aussi|"
                      r"qu'en est-il|et pour|et en|et dans)\b", re.I)
_ANAPHORA = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|she|him|her|the same|"
                       r"the latter|the former|one|ones|such|il|elle|ils|elles|ce|cette|ces|celui|celle|"
                       r"là|y)\b", re.I)
MIN_STANDALONE_TERMS = 3


def is_follow_up(question: str) -> bool:
    if _LEADING.search(question):
        return True
    terms = keyword_tokens(question)
    if len(terms) < MIN_STANDALONE_TERMS:
        return True
    return bool(_ANAPHORA.search(question)) and len(terms) < 6


def user_turns(history: Sequence[dict[str, Any]] | None) -> list[str]:
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


def resolve(question: str, history: Sequence[dict[str, Any]] | None) -> str:
    """The retrieval query for this turn: the question itself, or the question read with
    the (recursively resolved) previous user question when it is a follow-up."""
    resolved = ""
    for turn in user_turns(history):
        resolved = f"{resolved} {turn}".strip() if resolved and is_follow_up(turn) else turn
    if resolved and is_follow_up(question):
        return f"{resolved} {question}"
    return question
