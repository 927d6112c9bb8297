"""Errors of the index layer, in a module light enough for anyone to import."""

from __future__ import annotations


class LoadError(Exception):
    """A source could not be read or parsed; the message names the file and the reason."""


class StoreError(Exception):
    """The store cannot be opened or reached; the message says what to do."""
