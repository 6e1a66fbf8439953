"""The per-cell converters: formula neutralisation, company time (fixed offset and daylight saving), labels."""

from __future__ import annotations

from datetime import UTC, datetime

from loam.exports.formatting import Cell, Labels, compile_rows, fixed_offset, local_time, neutralise


def test_neutralise_only_formula_text() -> None:
    for text in ("=1+1", "+86 138", "-5", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for value in ("abc", "", None, -5, -1.5, "1-2"):
        assert neutralise(value) == value


def test_compiled_rows_match_the_plain_converters() -> None:
    convert = compile_rows(
        [
            Cell(0),
            Cell(1, None, neutralise),
            Cell(2, "k", neutralise),
            Cell(2, "n"),
            Cell(3, None, Labels({"a": "甲"}).__getitem__),
        ]
    )
    assert convert((7, "=x", {"k": "-y", "n": -3}, "a")) == (7, "'=x", "'-y", -3, "甲")
    assert convert((8, None, None, None)) == (8, None, None, None, None)
    assert convert((9, "ok", {}, "=b")) == (9, "ok", None, None, "'=b")  # unknown choice keys pass, neutralised


def test_company_time_with_and_without_daylight_saving() -> None:
    assert fixed_offset("Asia/Shanghai") is not None and fixed_offset("Europe/Berlin") is None
    shanghai, berlin = local_time("Asia/Shanghai"), local_time("Europe/Berlin", as_text=True)
    assert shanghai("2026-01-01 20:00:00.000000") == datetime(2026, 1, 2, 4, 0)
    assert shanghai(datetime(2026, 1, 1, 20, 0, tzinfo=UTC)) == datetime(2026, 1, 2, 4, 0)
    assert berlin(datetime(2026, 7, 1, 12, 0)) == "2026-07-01 14:00:00"
    assert berlin(datetime(2026, 1, 1, 12, 0)) == "2026-01-01 13:00:00"
    assert shanghai(None) is None and berlin(None) is None
