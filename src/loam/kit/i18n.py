"""gettext for zh_CN and en with the locale held in a context variable (one per request or job)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: ContextVar[str] = ContextVar("loam_locale", default="zh_CN")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str | None) -> None:
    _current.set(normalise(locale))


def normalise(locale: str | None) -> str:
    if not locale:
        return "zh_CN"
    locale = locale.replace("-", "_")
    if locale.lower().startswith("zh"):
        return "zh_CN"
    if locale.lower().startswith("en"):
        return "en"
    return "zh_CN"


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current.set(normalise(locale))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: Any) -> str:
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def pick(zh: str | None, en: str | None) -> str:
    """Choose between a record's Chinese and English label for the current locale."""
    if get_locale() == "en":
        return en or zh or ""
    return zh or en or ""
