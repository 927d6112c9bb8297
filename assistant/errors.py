"""Typed errors of the public API; each message names the problem and the fix."""

from __future__ import annotations

from index.errors import StoreError as _IndexStoreError


class AssistantError(Exception):
    """Base class: everything the API raises on bad input or a broken environment."""


class SettingsError(AssistantError):
    """A configuration value is invalid; the message names the environment variable."""


class InvalidQuestionError(AssistantError):
    """The question is empty, whitespace or too long."""


class InvalidHistoryError(InvalidQuestionError):
    """The conversation history has the wrong shape or a turn over ASSISTANT_MAX_HISTORY_CHARS."""


class InvalidFilterError(AssistantError):
    """A retrieval filter has an unknown key or a malformed value."""


class StoreUnavailableError(AssistantError, _IndexStoreError):
    """The Chroma store cannot be reached or opened (also an `index` StoreError, so the store
    can raise it directly)."""


class CorpusUnavailableError(AssistantError):
    """The index is empty and the corpus it would be built from cannot be read."""


class DocumentError(AssistantError):
    """A user document was rejected (type, size, unreadable)."""


class LLMUnavailableError(AssistantError):
    """The chat model could not write the answer (server down, timeout, unknown model, empty,
    malformed or over-long reply); the message is one line naming the problem and the fix.
    The pipeline falls back to the extractive writer and says so."""
