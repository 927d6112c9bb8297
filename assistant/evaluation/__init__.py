"""Evaluation of the assistant: a question set kept apart from the corpus, metrics, runner and report.

The package depends only on the public API (`assistant.Assistant`, `assistant.settings.Settings`,
`assistant.types`), so that it measures exactly what a user gets. Nothing here is imported by the
assistant itself.
"""

from __future__ import annotations

from .dataset import CATEGORIES, Case, DatasetError, ExpectedNumber, load_cases

__all__ = ["CATEGORIES", "Case", "DatasetError", "ExpectedNumber", "load_cases"]
