"""Data files the assistant reads: prompts, fixed messages, exemplar phrasings, glossaries.

`load(name)` parses one YAML file of this folder (cached); `PROMPTS` is the folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS = Path(__file__).parent


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The parsed YAML file `name` of this folder; raises FileNotFoundError when it is missing."""
    return yaml.safe_load((PROMPTS / name).read_text(encoding="utf-8"))
