"""Checking values against a type's fields, without a database: every kind, its limits and its messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loam.errors import Invalid
from loam.oa.fields import check


def f(key: str, kind: str, required: bool = False, choices: list[str] | None = None) -> dict:
    return {"key": key, "label_zh": key, "label_en": key, "kind": kind, "required": required, "choices": choices or []}


FIELDS = [
    f("name", "text", True),
    f("note", "textarea"),
    f("days", "number"),
    f("cost", "money"),
    f("other_cost", "money"),
    f("start", "date"),
    f("end", "date"),
    f("at", "datetime"),
    f("kind", "select", choices=["甲", "乙"]),
]


def test_values_are_cleaned_and_typed() -> None:
    out = check(
        FIELDS,
        {
            "name": "  王五 ",
            "days": 2.5,
            "cost": "1234.5",
            "other_cost": 99,
            "start": "2027-01-01",
            "end": "2027-01-01",
            "at": "2027-01-01T10:00:00+00:00",
            "kind": "乙",
            "note": None,
        },
    )
    assert out.values == {
        "name": "王五",
        "days": "2.5",
        "cost": "1234.50",
        "other_cost": "99.00",
        "start": "2027-01-01",
        "end": "2027-01-01",
        "at": "2027-01-01T18:00",  # UTC 10:00 is 18:00 in Asia/Shanghai
        "kind": "乙",
    }
    assert out.amount == Decimal("1234.50")  # the first money field with a value
    assert out.days == Decimal("2.50")


def test_amount_falls_to_the_next_money_field_and_blank_is_none() -> None:
    out = check(FIELDS, {"name": "x", "other_cost": "10", "days": ""})
    assert out.amount == Decimal("10.00") and out.days is None and "days" not in out.values


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("name", "x" * 201),
        ("name", 5),
        ("note", "x" * 2001),
        ("days", "100000000"),
        ("days", "NaN"),
        ("days", "Infinity"),
        ("days", [1]),
        ("cost", "-0.01"),
        ("cost", "1.001"),
        ("cost", "1e30"),
        ("start", "2027-02-30"),
        ("start", "1800-01-01"),
        ("at", "0001-01-01T00:00+14:00"),
        ("at", "9999-12-31T23:59-14:00"),
        ("at", "tomorrow"),
        ("kind", "丙"),
    ],
)
def test_bad_values_name_their_field(key: str, value: object) -> None:
    with pytest.raises(Invalid) as err:
        check(FIELDS, {"name": "x", key: value})
    assert set(err.value.detail) == {f"values.{key}"}
    assert key in err.value.detail[f"values.{key}"]  # the message starts with the field's label


def test_missing_required_unknown_keys_and_order_are_all_reported() -> None:
    with pytest.raises(Invalid) as err:
        check(FIELDS, {"start": "2027-01-02", "end": "2027-01-01", "bogus": 1})
    assert set(err.value.detail) == {"values.name", "values.end", "values.bogus"}
    assert "values.name" in err.value.detail and "name" in err.value.message
