"""The chip catalogue (corpus/data/chips.csv) as frozen records with forgiving lookup.

Users write chip names loosely ("h100 sxm", "H100s", "Nvidia H100", "910B"), so lookup
normalises case, spaces, hyphens and plurals; a miss raises `UnknownChipError` with the
closest names rather than silently picking one, because a wrong chip means wrong numbers.
Blank CSV cells become None (unknown), never 0, so no tool computes from a missing figure.
"""

from __future__ import annotations

import csv
import difflib
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import ToolInputError, UnknownChipError

logger = logging.getLogger(__name__)

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "aliases",
    "vendor",
    "launch",
    "data_center",
    "bf16_tflops",
    "fp8_tflops",
    "fp4_tflops",
    "int8_tops",
    "memory_gb",
    "memory_bw_tbps",
    "tdp_w",
    "transistors_b",
    "die_area_mm2",
    "process",
    "interconnect_gbps",
    "china_status",
    "doc_id",
    "sources",
    "notes",
)
"""The header fixed by docs/corpus-plan.md."""

NUMERIC_COLUMNS: tuple[str, ...] = (
    "bf16_tflops",
    "fp8_tflops",
    "fp4_tflops",
    "int8_tops",
    "memory_gb",
    "memory_bw_tbps",
    "tdp_w",
    "transistors_b",
    "die_area_mm2",
    "interconnect_gbps",
)

PRECISION_COLUMNS: dict[str, str] = {
    "bf16": "bf16_tflops",
    "fp8": "fp8_tflops",
    "fp4": "fp4_tflops",
    "int8": "int8_tops",
}
"""Which dense-throughput column serves each precision (TFLOPS, or TOPS for INT8)."""

# Words that do not change which chip is meant ("the Nvidia H100 GPU" is the H100).
_FILLER_WORDS = (
    "nvidia",
    "huawei",
    "cambricon",
    "biren",
    "moorethreads",
    "amd",
    "intel",
    "gpus",
    "gpu",
    "chips",
    "chip",
    "accelerators",
    "accelerator",
    "cards",
    "card",
    "npus",
    "npu",
    "the",
    "an",
    "a",
)


def default_catalogue_path(repo_root: Path | None = None) -> Path:
    """Where the corpus writers keep the catalogue; callers pass it in so tests can swap it."""
    root = repo_root if repo_root is not None else Path(__file__).resolve().parents[2]
    return root / "corpus" / "data" / "chips.csv"


def normalise_name(text: str) -> str:
    """Lower-case and drop spaces, hyphens, underscores, dots and slashes: 'H100-SXM' → 'h100sxm'."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\-_./]+", "", text)


@dataclass(frozen=True)
class Chip:
    """One catalogue row; numeric fields are dense figures, None where the source gave none."""

    id: str
    name: str
    aliases: tuple[str, ...]
    vendor: str
    launch: str
    data_center: bool | None
    bf16_tflops: float | None
    fp8_tflops: float | None
    fp4_tflops: float | None
    int8_tops: float | None
    memory_gb: float | None
    memory_bw_tbps: float | None
    tdp_w: float | None
    transistors_b: float | None
    die_area_mm2: float | None
    process: str
    interconnect_gbps: float | None
    china_status: str
    doc_id: str
    sources: tuple[str, ...]
    notes: str

    @property
    def citation_id(self) -> str:
        """The index renders each CSV row as a document with this id."""
        return f"chip-{self.id}"

    @property
    def citation_ids(self) -> list[str]:
        """Cite the row itself and the corpus document that discusses the chip."""
        return [cid for cid in (self.citation_id, self.doc_id) if cid]

    @property
    def memory_bw_gbps(self) -> float | None:
        """DRAM bandwidth in GB/s (the January 2026 rule's unit)."""
        return None if self.memory_bw_tbps is None else self.memory_bw_tbps * 1000.0

    def dense_throughput(self, precision: str) -> float | None:
        """Dense TFLOPS (TOPS for int8) at a normalised precision, or None if unknown."""
        return getattr(self, PRECISION_COLUMNS[precision])


class CatalogueFormatError(ValueError):
    """The CSV cannot be used at all (missing columns, duplicate ids)."""


def _parse_number(raw: str, column: str, row_id: str) -> float | None:
    """Blank → None. Tolerates '1,979' and '~312' but logs and drops anything else."""
    text = raw.strip()
    if not text:
        return None
    cleaned = text.replace(",", "").replace("~", "").replace("≈", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        logger.warning("chips.csv row %s: %s=%r is not a number; treated as unknown", row_id, column, raw)
        return None
    if value <= 0:
        logger.warning("chips.csv row %s: %s=%r is not positive; treated as unknown", row_id, column, raw)
        return None
    return value


def _parse_bool(raw: str, column: str, row_id: str) -> bool | None:
    """'yes'/'no' (and true/false, y/n, 1/0); blank → None."""
    text = raw.strip().lower()
    if not text:
        return None
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    logger.warning("chips.csv row %s: %s=%r is not yes/no; treated as unknown", row_id, column, raw)
    return None


def _split_list(raw: str) -> tuple[str, ...]:
    """';'-separated cell → tuple of stripped non-empty items."""
    return tuple(item.strip() for item in raw.split(";") if item.strip())


def chip_from_row(row: dict[str, str]) -> Chip:
    """Build a Chip from one CSV row (keys are the header names)."""
    row_id = (row.get("id") or "").strip()
    values: dict[str, object] = {}
    for f in fields(Chip):
        raw = row.get(f.name) or ""
        if f.name in NUMERIC_COLUMNS:
            values[f.name] = _parse_number(raw, f.name, row_id)
        elif f.name == "data_center":
            values[f.name] = _parse_bool(raw, f.name, row_id)
        elif f.name in {"aliases", "sources"}:
            values[f.name] = _split_list(raw)
        else:
            values[f.name] = raw.strip()
    return Chip(**values)  # type: ignore[arg-type]


class Catalogue:
    """Chips by id with name/alias lookup; immutable after construction."""

    def __init__(self, chips: Iterable[Chip], source_path: Path | None = None) -> None:
        self.chips: tuple[Chip, ...] = tuple(chips)
        self.source_path = source_path
        self._by_id: dict[str, Chip] = {}
        for chip in self.chips:
            if not chip.id:
                raise CatalogueFormatError(f"chip {chip.name!r} has no id")
            if chip.id in self._by_id:
                raise CatalogueFormatError(f"duplicate chip id {chip.id!r}")
            self._by_id[chip.id] = chip
        self._index: dict[str, set[str]] = {}
        for chip in self.chips:
            for form in self.surface_forms(chip):
                self._index.setdefault(normalise_name(form), set()).add(chip.id)
        for key, ids in self._index.items():
            if len(ids) > 1:
                logger.warning(
                    "chips.csv: name or alias %r is shared by %s; lookups of it will ask which", key, sorted(ids)
                )

    @classmethod
    def from_csv(cls, path: Path | str) -> Catalogue:
        """Load the catalogue; fails only when the file cannot be used at all."""
        path = Path(path)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in CSV_COLUMNS if c not in header]
            if missing:
                raise CatalogueFormatError(f"{path}: missing columns {missing}")
            extra = [c for c in header if c not in CSV_COLUMNS]
            if extra:
                logger.info("%s: ignoring extra columns %s", path, extra)
            chips = []
            for row in reader:
                row = {(k or "").strip(): (v or "") for k, v in row.items()}
                if not any(v.strip() for v in row.values()):
                    continue
                chips.append(chip_from_row(row))
        logger.debug("loaded %d chips from %s", len(chips), path)
        return cls(chips, source_path=path)

    def __iter__(self) -> Iterator[Chip]:
        return iter(self.chips)

    def __len__(self) -> int:
        return len(self.chips)

    def by_id(self, chip_id: str) -> Chip:
        """Exact id lookup (ids are stable slugs such as 'h100-sxm')."""
        try:
            return self._by_id[chip_id]
        except KeyError:
            raise UnknownChipError(chip_id, self.suggest(chip_id)) from None

    @staticmethod
    def surface_forms(chip: Chip) -> list[str]:
        """Every written form that should find this chip: id, name, aliases, vendor + name."""
        forms = [chip.id, chip.name, *chip.aliases]
        if chip.vendor and not normalise_name(chip.name).startswith(normalise_name(chip.vendor)):
            forms.append(f"{chip.vendor} {chip.name}")
        if chip.vendor and normalise_name(chip.name).startswith(normalise_name(chip.vendor)):
            forms.append(chip.name[len(chip.vendor) :].strip())
        return [f for f in forms if f.strip()]

    def _variants(self, query: str) -> list[str]:
        """Normalised forms of the query to try, most literal first.

        A trailing lower-case 's' or "'s" is read as a plural/possessive ("H100s", "H20's");
        an upper-case one is kept because it is part of product names such as "L40S".
        """
        raw = unicodedata.normalize("NFKC", query).strip()
        singular = re.sub(r"(?<=[0-9A-Za-z])(?:['’]s|s)$", "", raw)
        variants: list[str] = []
        for text in (raw, singular):
            words = re.sub(r"[\-_./]+", " ", text.lower()).split()
            kept = "".join(normalise_name(w) for w in words if normalise_name(w) not in _FILLER_WORDS)
            for candidate in (normalise_name(text), kept):
                if candidate and candidate not in variants:
                    variants.append(candidate)
        return variants

    def find(self, query: str) -> Chip | None:
        """The chip a name means, or None; raises ToolInputError when it could mean several."""
        if not query or not query.strip():
            return None
        for variant in self._variants(query):
            ids = self._index.get(variant)
            if ids:
                if len(ids) > 1:
                    names = sorted(self._by_id[i].name for i in ids)
                    raise ToolInputError("chip", f"{query!r} could mean {', '.join(names)}; name one")
                return self._by_id[next(iter(ids))]
        # A form-factor suffix left off ("h100 sxm" for "H100 SXM5"): accept a unique completion
        # when the query ends in a letter, so "b20" never silently becomes "b200".
        for variant in self._variants(query):
            if len(variant) < 4 or not variant[-1].isalpha():
                continue
            hits = {
                cid
                for key, ids in self._index.items()
                if key.startswith(variant) and re.fullmatch(r"\d{1,2}", key[len(variant) :])
                for cid in ids
            }
            if len(hits) == 1:
                return self._by_id[hits.pop()]
        return None

    def get(self, query: str) -> Chip:
        """Like `find`, but an unknown name raises UnknownChipError listing the closest names."""
        chip = self.find(query)
        if chip is None:
            raise UnknownChipError(query, self.suggest(query))
        return chip

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Closest canonical names by string similarity (difflib), for error messages."""
        key = normalise_name(query)
        by_key: dict[str, str] = {}
        for chip in self.chips:
            for form in self.surface_forms(chip):
                by_key.setdefault(normalise_name(form), chip.name)
        matches = difflib.get_close_matches(key, list(by_key), n=limit * 3, cutoff=0.5)
        names: list[str] = []
        for match in matches:
            if by_key[match] not in names:
                names.append(by_key[match])
        return names[:limit]

    def names(self) -> list[str]:
        """Canonical names, catalogue order."""
        return [chip.name for chip in self.chips]


def load_catalogue(path: Path | str) -> Catalogue:
    """Load chips.csv from an explicit path (see `default_catalogue_path`)."""
    return Catalogue.from_csv(path)
