"""The document types the approval engine knows (审批单据类型).

A domain that owns an approvable document declares it in its own module (``loam.contracts.approval``…) as
``DOCUMENT = DocumentType(...)``. The engine imports those modules lazily by name: a module that does not exist
means the type is not installed. Tests (and plug-ins) may add a type at runtime with :func:`register`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope

# doc type code → module exposing ``DOCUMENT``
DOCUMENTS: dict[str, str] = {
    "contract": "loam.contracts.approval",
    "receivable": "loam.receivables.approval",
    "opportunity": "loam.opportunities.approval",
    "oa_request": "loam.oa.approval",
}

FIELD_TYPES = ("decimal", "int", "str", "date")


@dataclass(frozen=True)
class DocumentType:
    """How the approval engine sees one kind of document.

    ``on_change(session, scope, document, state)`` is called with state "in_approval" (submitted), "approved",
    "rejected" (back to draft) or "withdrawn" (back to draft); the domain sets its own status and writes its own
    audit row. ``scope`` is the user whose action caused the change.
    """

    code: str
    label: str  # an N_() msgid, e.g. N_("Contract")
    fields: dict[str, str]  # condition fields: name -> "decimal" | "int" | "str" | "date"
    load: Callable[[Session, int], Any | None]  # the document by id, unscoped (None when gone)
    describe: Callable[[Any], str]  # e.g. "HT-202612-00001 广西河池电信"
    values: Callable[[Any], dict[str, Any]]  # field values for the conditions
    owner_id: Callable[[Any], int | None]  # the submitter/owner that department heads and supervisors resolve from
    on_change: Callable[[Session, Scope, Any, str], None]
    route: tuple[str, str]  # ("contracts:detail", "contract_id") for links
    # Optional: may this scope see the document? (None: the engine asks ``load`` only and relies on
    # participants). Domains may set it so that viewers of the document can read its approval.
    can_view: Callable[[Session, Scope, int], bool] | None = None


_runtime: dict[str, DocumentType] = {}
_cache: dict[str, DocumentType | None] = {}


def register(document: DocumentType) -> None:
    """Install a document type at runtime (tests, plug-ins); it wins over a module of the same code."""
    _runtime[document.code] = document


def unregister(code: str) -> None:
    """Remove a runtime-registered document type (no error when absent)."""
    _runtime.pop(code, None)


def _load_module(code: str) -> DocumentType | None:
    if code not in _cache:
        module_name = DOCUMENTS.get(code)
        found: DocumentType | None = None
        if module_name is not None:
            try:
                found = getattr(importlib.import_module(module_name), "DOCUMENT", None)
            except ModuleNotFoundError as exc:
                if exc.name is None or not module_name.startswith(exc.name):
                    raise  # a real import error inside an installed module must not be hidden
        _cache[code] = found
    return _cache[code]


def get(code: str) -> DocumentType | None:
    """The installed document type ``code``, or None."""
    return _runtime.get(code) or _load_module(code)


def installed() -> dict[str, DocumentType]:
    """Every installed document type by code (declared modules first, then runtime ones)."""
    out: dict[str, DocumentType] = {}
    for code in DOCUMENTS:
        doc = get(code)
        if doc is not None:
            out[code] = doc
    for code, doc in _runtime.items():
        out[code] = doc
    return out
