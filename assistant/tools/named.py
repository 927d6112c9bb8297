"""Named fleets and training runs from the corpus, loaded from named_defaults.json.

The router may fill in "the Xinjiang chips" (115,000 H100) or "Stargate" (400,000 GB200)
only when a question names them, and every such default must carry the corpus document it
comes from, so the figures live in a data file with their doc ids rather than in code.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_NAMED_PATH = Path(__file__).with_name("named_defaults.json")


@dataclass(frozen=True)
class NamedFleet:
    """A fleet the corpus reports: `count` of `chip` (a catalogue name), cited to `doc_id`."""

    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    chip: str
    count: int
    doc_id: str
    note: str = ""
    supersedes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedRun:
    """A training run the corpus reports, with its 6·N·D inputs and GPU-hours."""

    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    parameters: float
    tokens: float
    gpu_hours: float
    chip: str
    doc_id: str
    usd_per_gpu_hour: float | None = None
    note: str = ""


@dataclass(frozen=True)
class NamedDefaults:
    """All named fleets and runs."""

    fleets: tuple[NamedFleet, ...] = ()
    runs: tuple[NamedRun, ...] = ()

    @classmethod
    def load(cls, path: Path | str = DEFAULT_NAMED_PATH) -> NamedDefaults:
        """Read the JSON file; every entry must name its source document."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        fleets = []
        for item in data.get("fleets", []):
            if not item.get("doc_id"):
                raise ValueError(f"{path}: fleet {item.get('key')!r} has no doc_id")
            fleets.append(
                NamedFleet(
                    key=item["key"],
                    label=item["label"],
                    patterns=tuple(re.compile(p, re.I) for p in item["patterns"]),
                    chip=item["chip"],
                    count=int(item["count"]),
                    doc_id=item["doc_id"],
                    note=item.get("note", ""),
                    supersedes=tuple(item.get("supersedes", ())),
                )
            )
        runs = []
        for item in data.get("training_runs", []):
            if not item.get("doc_id"):
                raise ValueError(f"{path}: run {item.get('key')!r} has no doc_id")
            runs.append(
                NamedRun(
                    key=item["key"],
                    label=item["label"],
                    patterns=tuple(re.compile(p, re.I) for p in item["patterns"]),
                    parameters=float(item["parameters"]),
                    tokens=float(item["tokens"]),
                    gpu_hours=float(item["gpu_hours"]),
                    chip=item["chip"],
                    doc_id=item["doc_id"],
                    usd_per_gpu_hour=item.get("usd_per_gpu_hour"),
                    note=item.get("note", ""),
                )
            )
        logger.debug("loaded %d named fleets and %d runs from %s", len(fleets), len(runs), path)
        return cls(tuple(fleets), tuple(runs))
