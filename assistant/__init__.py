"""Question answering on AI compute geopolitics, with every claim cited and every figure computed."""

from assistant.core import Assistant
from assistant.errors import (AssistantError, DocumentError, InvalidFilterError, InvalidQuestionError,
                              SettingsError, StoreUnavailableError)
from assistant.settings import Settings, load_settings
from assistant.types import Answer, Citation, ToolCall

__all__ = ["Assistant", "Answer", "Citation", "ToolCall", "Settings", "load_settings", "AssistantError",
           "DocumentError", "InvalidFilterError", "InvalidQuestionError", "SettingsError", "StoreUnavailableError"]
