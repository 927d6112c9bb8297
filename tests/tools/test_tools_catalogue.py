"""The chip catalogue: CSV parsing (fixture), forgiving lookup and citation ids (real file)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.tools.catalogue import CSV_COLUMNS, Catalogue, CatalogueFormatError, load_catalogue
from assistant.tools.errors import ToolInputError, UnknownChipError

# ---- parsing the CSV (fixture file) ----


def test_fixture_has_the_planned_header(fixture_csv):
    header = fixture_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == CSV_COLUMNS


def test_blank_cells_become_none_never_zero(fixture_catalogue):
    h20 = fixture_catalogue.get("H20")
    assert h20.die_area_mm2 is None
    assert h20.transistors_b is None
    gaming = fixture_catalogue.get("RTX 4090D")
    assert gaming.bf16_tflops is None and gaming.fp8_tflops is None


def test_numbers_booleans_and_lists_are_typed(fixture_catalogue):
    h100 = fixture_catalogue.get("H100")
    assert h100.fp8_tflops == 1979.0
    assert h100.memory_bw_tbps == 3.35 and h100.memory_bw_gbps == pytest.approx(3350.0)
    assert h100.data_center is True
    assert fixture_catalogue.get("RTX 4090D").data_center is False
    assert h100.aliases == ("H100", "H100 SXM", "h100sxm")
    assert h100.sources == ("https://example.org/h100",)


def test_chips_are_frozen(fixture_catalogue):
    with pytest.raises(AttributeError):
        fixture_catalogue.get("H100").tdp_w = 1.0  # type: ignore[misc]


def test_quoted_notes_with_commas_survive(fixture_catalogue):
    assert "4,988.8" in fixture_catalogue.get("A800").notes


def test_a_non_numeric_cell_is_unknown_and_logged(tmp_path: Path, caplog, fixture_csv):
    text = fixture_csv.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",312,", ",about 312,", 1)
    path = tmp_path / "chips.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        cat = load_catalogue(path)
    assert cat.get("A100").bf16_tflops is None
    assert "bf16_tflops" in caplog.text


def test_missing_columns_are_refused(tmp_path: Path):
    path = tmp_path / "chips.csv"
    path.write_text("id,name\nx,X\n", encoding="utf-8")
    with pytest.raises(CatalogueFormatError, match="missing columns"):
        load_catalogue(path)


def test_duplicate_ids_are_refused(fixture_catalogue):
    chip = fixture_catalogue.get("H100")
    with pytest.raises(CatalogueFormatError, match="duplicate"):
        Catalogue([chip, chip])


# ---- lookup mechanics (fixture) ----


@pytest.mark.parametrize(
    "query, chip_id",
    [
        ("H100", "h100-sxm"),
        ("h100", "h100-sxm"),
        ("h100 sxm", "h100-sxm"),
        ("H100-SXM", "h100-sxm"),
        ("H100 SXM5", "h100-sxm"),
        ("Nvidia H100 GPU", "h100-sxm"),
        ("H100s", "h100-sxm"),
        ("h100-sxm", "h100-sxm"),
        ("Ascend 910C", "ascend-910c"),
        ("ascend910c", "ascend-910c"),
        ("910C", "ascend-910c"),
        ("Huawei Ascend 910B", "ascend-910b"),
        ("910B", "ascend-910b"),
        ("H20's", "h20"),
        ("GB200", "gb200"),
    ],
)
def test_lookup_forgives_case_spaces_hyphens_vendor_and_plurals(fixture_catalogue, query, chip_id):
    assert fixture_catalogue.get(query).id == chip_id


def test_unknown_chip_lists_the_closest_names(fixture_catalogue):
    with pytest.raises(UnknownChipError) as info:
        fixture_catalogue.get("H300")
    assert info.value.suggestions, "difflib should offer near names"
    assert all(name in fixture_catalogue.names() for name in info.value.suggestions)
    assert "H300" in str(info.value)


def test_unknown_chip_error_is_a_tool_input_error_and_a_value_error(fixture_catalogue):
    with pytest.raises(ToolInputError):
        fixture_catalogue.get("Z9000")
    with pytest.raises(ValueError):
        fixture_catalogue.get("Z9000")


def test_a_short_prefix_never_becomes_a_longer_chip(fixture_catalogue):
    assert fixture_catalogue.find("B20") is None  # not silently the B200


def test_shared_alias_asks_which_chip(fixture_catalogue):
    h100, h800 = fixture_catalogue.get("H100"), fixture_catalogue.get("H800")
    from dataclasses import replace

    clash = Catalogue([replace(h100, aliases=("Hopper",)), replace(h800, aliases=("Hopper",))])
    with pytest.raises(ToolInputError, match="could mean"):
        clash.get("Hopper")


# ---- the real catalogue ----


@pytest.mark.parametrize(
    "query, expected_name_part",
    [
        ("h100 sxm", "H100"),
        ("H100", "H100"),
        ("Ascend 910C", "910C"),
        ("910B", "910B"),
        ("H20", "H20"),
        ("A800", "A800"),
        ("H200", "H200"),
        ("B200", "B200"),
        ("GB200", "GB200"),
        ("A100", "A100"),
        ("H800", "H800"),
    ],
)
def test_real_catalogue_resolves_the_names_questions_use(catalogue, query, expected_name_part):
    assert expected_name_part.lower() in catalogue.get(query).name.lower()


def test_bare_h100_means_the_sxm_part(catalogue):
    chip = catalogue.get("H100")
    assert "sxm" in (chip.name + chip.id).lower()


def test_every_real_row_is_citable(catalogue):
    assert len(catalogue) >= 10
    for chip in catalogue:
        assert chip.citation_id == f"chip-{chip.id}"
        assert chip.doc_id, f"{chip.id} has no doc_id"
        assert chip.citation_ids[:2] == [f"chip-{chip.id}", chip.doc_id]


def test_real_numeric_columns_are_positive_or_unknown(catalogue):
    for chip in catalogue:
        for column in (
            "bf16_tflops",
            "fp8_tflops",
            "fp4_tflops",
            "int8_tops",
            "tdp_w",
            "die_area_mm2",
            "memory_bw_tbps",
            "interconnect_gbps",
        ):
            value = getattr(chip, column)
            assert value is None or value > 0, (chip.id, column, value)
