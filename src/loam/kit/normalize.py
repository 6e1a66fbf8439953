"""Normalised keys for duplicate detection: phone (E.164), email (case-folded), company name."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "集团",
    "companylimited",
    "colimited",
    "coltd",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "company",
    "llc",
    "gmbh",
)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def phone(raw: str | None, region: str = "CN") -> str | None:
    """E.164 for a parseable number (default region CN); otherwise its digits; None when empty."""
    if not raw or not raw.strip():
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    try:
        num = phonenumbers.parse(text, region)
        if phonenumbers.is_possible_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = re.sub(r"\D", "", text)
    return digits or None


def email(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def company(raw: str | None) -> str:
    """Full-width → half-width, case-folded, spaces and punctuation removed, legal suffixes folded."""
    if not raw:
        return ""
    text = _PUNCT.sub("", unicodedata.normalize("NFKC", raw).casefold())
    changed = True
    while changed and text:
        changed = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
    return text
