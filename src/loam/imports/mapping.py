"""Column mapping: which file column feeds which field. Suggested from the header names (Chinese,
English, or WukongCRM's template names), remembered per header set, validated before a run."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.imports import repository as repo
from loam.kit import customfields
from loam.kit.columns import Column, columns, header_key, header_names
from loam.kit.i18n import gettext as _

IGNORE = ""
CUSTOM_PREFIX = "cf_"


def importable(entity: str) -> list[Column]:
    return [c for c in columns(entity) if c.importable]


def targets(session: Session, entity: str) -> list[tuple[str, str, bool]]:
    """Every field a column may feed: (key, label in the reader's language, required)."""
    out = [(c.key, _(c.label), c.required) for c in importable(entity)]
    out += [
        (CUSTOM_PREFIX + f.key, customfields.label(f), f.required) for f in customfields.definitions(session, entity)
    ]
    return out


def header_hash(header: list[str]) -> str:
    return hashlib.sha256("\x1f".join(header_key(h) for h in header).encode()).hexdigest()


def _names(session: Session, entity: str) -> dict[str, str]:
    """Folded header spelling → target key (built-in columns first, then custom fields)."""
    names: dict[str, str] = {}
    for col in importable(entity):
        for name in header_names(col):
            names.setdefault(header_key(name), col.key)
    for f in customfields.definitions(session, entity):
        for name in (f.key, CUSTOM_PREFIX + f.key, f.label_zh, f.label_en):
            names.setdefault(header_key(name), CUSTOM_PREFIX + f.key)
    return names


def suggest(session: Session, entity: str, header: list[str]) -> tuple[list[str], bool]:
    """A target per column (IGNORE for none) and whether it is the mapping remembered for this header set."""
    known = {t for t, _label, _req in targets(session, entity)}
    remembered = repo.remembered_mapping(session, entity, header_hash(header))
    if remembered is not None and len(remembered) == len(header) and set(remembered) - {IGNORE} <= known:
        return list(remembered), True
    names = _names(session, entity)
    used: set[str] = set()
    out = []
    for cell in header:
        target = names.get(header_key(cell), IGNORE)
        if target in used:
            target = IGNORE  # a duplicate header feeds nothing; the first one wins
        used.add(target)
        out.append(target)
    return out, False


def from_names(session: Session, entity: str, header: list[str], by_name: dict[str, str]) -> list[str]:
    """A mapping given as {header text or column letter: target} (CLI, API); other columns as suggested."""
    mapping, _remembered = suggest(session, entity, header)
    folded = [header_key(h) for h in header]
    for name, target in by_name.items():
        key = header_key(name)
        if key not in folded:
            raise Invalid(_("The file has no column %(name)s.", name=str(name)[:60]))
        mapping = [IGNORE if t == target else t for t in mapping]
        mapping[folded.index(key)] = target or IGNORE
    return mapping


def validate(session: Session, entity: str, header: list[str], mapping: list[str]) -> list[str]:
    """The mapping, checked: one entry per column, known targets, each used once, required ones present."""
    if len(mapping) != len(header):
        raise Invalid(_("The mapping must name a field (or nothing) for each of the %(n)s columns.", n=len(header)))
    known = {t: (label, req) for t, label, req in targets(session, entity)}
    chosen = [t for t in mapping if t != IGNORE]
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise Invalid(_("Unknown field in the mapping: %(name)s", name=", ".join(unknown)[:100]))
    twice = sorted({known[t][0] for t in chosen if chosen.count(t) > 1})
    if twice:
        raise Invalid(_("Each field can be fed by one column only: %(names)s", names=", ".join(twice)))
    missing = [
        label for t, (label, req) in known.items() if req and t not in chosen and not t.startswith(CUSTOM_PREFIX)
    ]
    if missing and "id" not in chosen:
        raise Invalid(_("Map a column to each required field: %(names)s", names=", ".join(missing)))
    return mapping


def remember(session: Session, scope: Scope, entity: str, header: list[str], mapping: list[str]) -> None:
    """Offer this mapping again the next time a file with the same header set is imported."""
    repo.save_mapping(session, entity, header_hash(header), mapping, scope.user_id)
