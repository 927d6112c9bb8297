"""The corpus is valid: every document parses with complete front matter, and the chip
catalogue's numbers parse with TPP derivable wherever its inputs exist."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from index.splitter import sections

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DOCS = sorted(p for p in CORPUS.rglob("*.md") if p.name.lower() != "readme.md")
TOPICS = {"datacenters", "smuggling", "export-controls", "chips", "strategy", "investment", "power", "deepseek", "analysis"}
NUMERIC = ["bf16_tflops", "fp8_tflops", "fp4_tflops", "int8_tops", "memory_gb", "memory_bw_tbps", "tdp_w",
           "transistors_b", "die_area_mm2", "interconnect_gbps"]


def front_matter(path: Path) -> tuple[dict, str]:
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", path.read_text(encoding="utf-8"), re.S)
    assert match, f"{path}: no front matter"
    return yaml.safe_load(match.group(1)), match.group(2)


def test_corpus_has_at_least_60_documents_and_two_in_french():
    assert len(DOCS) >= 60
    assert sum(front_matter(p)[0].get("language") == "fr" for p in DOCS) >= 2


def test_ids_are_unique_and_match_file_names():
    ids = [front_matter(p)[0]["id"] for p in DOCS]
    assert len(ids) == len(set(ids))
    assert all(front_matter(p)[0]["id"] == p.stem for p in DOCS)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_document_is_complete(path):
    meta, body = front_matter(path)
    for key in ("id", "title", "topic", "published", "language", "sources"):
        assert meta.get(key), f"{path.name}: missing {key}"
    assert meta["topic"] in TOPICS and meta["language"] in {"en", "fr"}
    assert isinstance(meta["published"], dt.date)
    assert meta["sources"] and all(s.get("url", "").startswith("http") and s.get("publisher") for s in meta["sources"])
    for source in meta["sources"]:
        assert isinstance(source.get("date"), dt.date), f"{path.name}: source date {source.get('date')!r}"
    assert 300 <= len(body.split()) <= 950, f"{path.name}: {len(body.split())} words"
    heads = [h for h, _ in sections(body)]
    assert len([h for h in heads if h]) >= 3
    raw_sections = re.split(r"^##\s+.*$", body, flags=re.M)[1:]
    assert all(s.strip() for s in raw_sections), f"{path.name}: an empty section"


def catalogue_rows() -> list[dict[str, str]]:
    with (CORPUS / "data" / "chips.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_catalogue_numbers_parse_and_are_never_zero():
    for row in catalogue_rows():
        for key in NUMERIC:
            if row[key].strip():
                assert float(row[key]) > 0, f"{row['id']}.{key} = {row[key]} (blank when unknown, never 0)"


def test_catalogue_units_are_consistent():
    for row in catalogue_rows():
        if row["memory_bw_tbps"]:
            assert 0.1 <= float(row["memory_bw_tbps"]) <= 20, f"{row['id']}: bandwidth must be TB/s"
        if row["tdp_w"]:
            assert 50 <= float(row["tdp_w"]) <= 3000, f"{row['id']}: TDP must be watts"
        if row["die_area_mm2"]:
            assert 100 <= float(row["die_area_mm2"]) <= 2000


def test_tpp_is_derivable_wherever_its_inputs_exist():
    for row in catalogue_rows():
        inputs = [(row["bf16_tflops"], 16), (row["fp8_tflops"], 8), (row["fp4_tflops"], 4), (row["int8_tops"], 8)]
        values = [float(v) * bits for v, bits in inputs if v.strip()]
        if values:
            assert max(values) > 0
    by_id = {r["id"]: r for r in catalogue_rows()}
    assert float(by_id["h100-sxm"]["fp8_tflops"]) * 8 == pytest.approx(15832)
    assert float(by_id["a100-sxm"]["bf16_tflops"]) * 16 == pytest.approx(4992)


def test_every_catalogue_row_points_at_a_corpus_document():
    ids = {p.stem for p in DOCS}
    for row in catalogue_rows():
        assert row["doc_id"] in ids, f"{row['id']}: doc_id {row['doc_id']} not in corpus"


def test_corpus_readme_lists_every_document():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    missing = [p.stem for p in DOCS if f"`{p.stem}`" not in readme]
    assert not missing, f"add to corpus/README.md: {missing}"
