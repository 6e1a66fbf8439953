"""Option lists shared by several domains, with their labels marked for translation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _

SOURCES = {
    "exhibition": N_("Exhibition"),
    "referral": N_("Referral"),
    "website": N_("Website"),
    "phone": N_("Inbound call"),
    "campaign": N_("Campaign"),
    "partner": N_("Partner"),
    "bid": N_("Tender notice"),
    "other": N_("Other"),
}

INDUSTRIES = {
    "telecom": N_("Telecom operator"),
    "government": N_("Government"),
    "energy": N_("Energy and utilities"),
    "finance": N_("Finance"),
    "transport": N_("Transport"),
    "manufacturing": N_("Manufacturing"),
    "education": N_("Education"),
    "healthcare": N_("Healthcare"),
    "internet": N_("Internet"),
    "other": N_("Other"),
}

GRADES = {"A": N_("A (hot)"), "B": N_("B (warm)"), "C": N_("C (cold)")}


if TYPE_CHECKING:  # the option lists are data; to a type checker they are plain strings
    Industry = str
    Source = str
    Grade = str
else:  # at run time they are enums, so the OpenAPI schema documents them
    Industry = Literal[tuple(INDUSTRIES)]
    Source = Literal[tuple(SOURCES)]
    Grade = Literal[tuple(GRADES)]


def label(options: dict[str, str], key: str | None) -> str:
    """The translated label of an option, or the raw key when it is not in the list."""
    if key is None:
        return ""
    text = options.get(key)
    return _(text) if text else key


def translated(options: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in options.items()]
