"""Render each chip catalogue row as a citable document, so figures the tools compute
can cite the same row a reader can open."""

from __future__ import annotations

import csv
from pathlib import Path

from index.loader import LoadError, SourceDocument, safe_url

_FIELDS = [
    ("bf16_tflops", "dense BF16/FP16 throughput", "TFLOPS"),
    ("fp8_tflops", "dense FP8 throughput", "TFLOPS"),
    ("fp4_tflops", "dense FP4 throughput", "TFLOPS"),
    ("int8_tops", "dense INT8 throughput", "TOPS"),
    ("memory_gb", "memory capacity", "GB"),
    ("memory_bw_tbps", "memory bandwidth", "TB/s"),
    ("tdp_w", "power (TDP)", "W"),
    ("transistors_b", "transistor count", "billion"),
    ("die_area_mm2", "logic die area", "mm²"),
    ("interconnect_gbps", "chip-to-chip interconnect bandwidth", "GB/s"),
]


def _num(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def render_row(row: dict[str, str]) -> SourceDocument:
    name = row["name"]
    lines = [f"The {name} is an accelerator by {row.get('vendor') or 'an unnamed vendor'}"
             + (f", launched {row['launch']}." if row.get("launch") else ".")]
    if row.get("aliases"):
        lines.append(f"The {name} is also referred to as {', '.join(a.strip() for a in row['aliases'].split(';') if a.strip())}.")
    specs = []
    for key, label, unit in _FIELDS:
        value = _num(row.get(key, ""))
        if value is not None:
            specs.append(f"The {name} has a {label} of {_fmt(value)} {unit}.")
    lines.append("\n\n## Specifications\n\n" + " ".join(specs) if specs else "")
    tpp_inputs = [(_num(row.get("bf16_tflops", "")), 16), (_num(row.get("fp8_tflops", "")), 8),
                  (_num(row.get("fp4_tflops", "")), 4), (_num(row.get("int8_tops", "")), 8)]
    tpps = [v * bits for v, bits in tpp_inputs if v]
    if tpps:
        tpp = max(tpps)
        text = f"By our calculation the {name} has a Total Processing Performance (TPP) of {_fmt(tpp)}"
        area = _num(row.get("die_area_mm2", ""))
        text += f" and a performance density of {tpp / area:.2f}." if area else "; its performance density is unknown because no die area is recorded."
        lines.append("\n\n## Export-control metrics\n\n" + text)
    extra = []
    if row.get("process"):
        extra.append(f"The {name} is made on the {row['process']} process.")
    if row.get("china_status"):
        extra.append(f"China export status of the {name}: {row['china_status']}.")
    if row.get("notes"):
        extra.append(f"Catalogue notes on the {name}: {row['notes']}")
    if extra:
        lines.append("\n\n## Status and notes\n\n" + " ".join(extra))
    urls = [safe_url(u) for u in (row.get("sources") or "").split(";") if safe_url(u)]
    return SourceDocument(
        doc_id=f"chip-{row['id']}",
        title=f"{name} — chip catalogue entry",
        body=" ".join(lines[:2]) + "".join(lines[2:]),
        topic="chips",
        url=urls[0] if urls else "",
        publisher="Chip catalogue (corpus/data/chips.csv)",
        path="corpus/data/chips.csv",
        extra_sources=[{"url": u} for u in urls],
    )


def load_catalogue_documents(path: Path) -> list[SourceDocument]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LoadError(f"{path}: chip catalogue unreadable ({exc})") from None
    return [render_row(r) for r in rows if r.get("id") and r.get("name")]
