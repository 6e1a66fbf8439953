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
_SUFFIX_TUPLE = tuple(_SUFFIXES)
# Chinese mobile numbers, the bulk of any import, written plainly or with +86/86, spaces or dashes:
# phonenumbers gives "+86" + the 11 digits for all of them, so skip its (slow) parser.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_SEPARATORS = str.maketrans("", "", " -")


def phone(raw: str | None, region: str = "CN") -> str | None:
    """E.164 for a parseable number (default region CN); otherwise its digits; None when empty."""
    if not raw or not raw.strip():
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if region == "CN":
        mobile = _MOBILE.fullmatch(text.translate(_SEPARATORS))
        if mobile:
            return "+86" + mobile.group(1)
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
    while text.endswith(_SUFFIX_TUPLE):  # one C-level test before each pass; most names end the loop here
        before = text
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
        if text == before:
            break
    return text
