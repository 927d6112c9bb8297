"""Typed errors of the public API; each message names the problem and the fix."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: everything the API raises on bad input or a broken environment."""


class SettingsError(AssistantError):
    """A configuration value is invalid; the message names the environment variable."""


class InvalidQuestionError(AssistantError):
    """The question is empty, whitespace or too long."""


class InvalidFilterError(AssistantError):
    """A retrieval filter has an unknown key or a malformed value."""


class StoreUnavailableError(AssistantError):
    """The Chroma store cannot be reached or opened."""


class DocumentError(AssistantError):
    """A user document was rejected (type, size, unreadable)."""
