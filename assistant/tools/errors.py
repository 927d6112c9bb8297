"""Errors raised by the deterministic tools.

`ToolInputError` subclasses `ValueError` so that callers that only know the standard
library still catch it, while the router and the LangChain wrappers can tell a bad input
(which the user can fix) from a bug (which they cannot).
"""

from __future__ import annotations

from collections.abc import Sequence


class ToolInputError(ValueError):
    """An input to a tool is missing, out of range or contradicts another input.

    `input_name` names the offending input so that the message shown to the user can
    say exactly what to supply or correct.
    """

    def __init__(self, input_name: str, message: str) -> None:
        self.input_name = input_name
        super().__init__(f"{input_name}: {message}")


class UnknownChipError(ToolInputError):
    """A chip name matched nothing in the catalogue; `suggestions` holds the closest names."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint = f" Closest catalogue names: {', '.join(self.suggestions)}." if self.suggestions else ""
        super().__init__("chip", f"unknown chip {name!r}.{hint}")
