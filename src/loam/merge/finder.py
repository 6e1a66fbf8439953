"""The duplicate finder: candidate groups of customers, leads or contacts the caller can see.

Exact matches come from SQL (one GROUP BY per key over the caller's visible ids, using the indexed
normalised keys), so they are complete however big the table is. Similar names come from rapidfuzz over
a bounded window — the ``FUZZY_SCAN`` most recently changed visible records — compared only inside a
*block*: the first two characters of the normalised company (customers, leads; records in two different
cities never match) or the same customer (contacts). Blocks and the total number of comparisons are
capped, so the work stays bounded at a million rows. Matches are joined into groups (union-find).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.merge import entities
from loam.merge import repository as repo
from loam.merge.schemas import CandidateGroup, CandidateList, CandidateMatch, CandidateRecord

THRESHOLD = 85  # rapidfuzz score (0–100) from which two names count as similar
FUZZY_SCAN = 3000  # records compared for similar names (most recently changed first)
BLOCK_CAP = 200  # records compared within one block
PAIR_CAP = 200_000  # comparisons in total
KEY_LIMIT = 200  # duplicate keys fetched per match kind
MAX_GROUP = 20  # records shown per group
MAX_GROUPS = 100


class _Groups:
    """Union-find over record ids plus the matches that joined them."""

    def __init__(self, dismissed: set[tuple[int, int]] | None = None) -> None:
        self.dismissed = dismissed or set()  # pairs marked as not duplicates: never joined
        self.parent: dict[int, int] = {}
        self.matches: list[CandidateMatch] = []
        self.truncated = False

    def find(self, i: int) -> int:
        self.parent.setdefault(i, i)
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def add(self, kind: str, ids: list[int], value: str | None = None, score: int | None = None) -> None:
        if len(ids) > MAX_GROUP:
            ids, self.truncated = ids[:MAX_GROUP], True
        joined = False
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                if (min(a, b), max(a, b)) not in self.dismissed:
                    self.parent[self.find(b)] = self.find(a)
                    joined = True
        if not joined:
            return
        self.matches.append(CandidateMatch(kind=kind, ids=ids, value=value, score=score))  # type: ignore[arg-type]

    def components(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in list(self.parent):
            out[self.find(i)].append(i)
        return [sorted(ids) for ids in out.values() if len(ids) > 1]


def candidates(session: Session, scope: Scope, k: entities.Kind) -> CandidateList:
    """Candidate groups of duplicates among the live records of kind ``k`` the caller sees (R13)."""
    visible = entities.visible_ids(scope, k)
    groups = _Groups(repo.dismissed_pairs(session, k.entity))
    for spec in repo.key_specs(k.entity):
        by_key: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        rows = repo.exact_matches(session, k.entity, spec, visible, KEY_LIMIT)
        groups.truncated |= len({tuple(r[1:]) for r in rows}) >= KEY_LIMIT
        for row in rows:
            by_key[tuple(row[1:])].append(int(row[0]))
        for key, ids in by_key.items():
            groups.add(spec.kind, sorted(ids), str(key[-1]))
    scanned = _similar(session, k, visible, groups)
    return _result(session, k, visible, groups, scanned)


def _text(entity: str, raw: str | None) -> str:
    if not raw:
        return ""
    return raw if entity != "contact" else " ".join(raw.casefold().split())


def _similar(session: Session, k: entities.Kind, visible: Any, groups: _Groups) -> int:
    """Add the similar-name matches of the scanned window; returns how many records were scanned."""
    rows = repo.fuzzy_rows(session, k.entity, visible, FUZZY_SCAN)
    groups.truncated |= len(rows) >= FUZZY_SCAN
    blocks: dict[Any, list[tuple[int, str, Any]]] = defaultdict(list)
    for row in rows:
        text = _text(k.entity, row.text)
        if len(text) >= 2:
            block = row.extra if k.entity == "contact" else text[:2]
            blocks[block].append((int(row.id), text, row.extra))
    scorer = fuzz.token_sort_ratio if k.entity == "contact" else fuzz.ratio
    budget = PAIR_CAP
    for members in blocks.values():
        if len(members) > BLOCK_CAP:
            members, groups.truncated = members[:BLOCK_CAP], True
        for i, (a_id, a_text, a_extra) in enumerate(members):
            for b_id, b_text, b_extra in members[i + 1 :]:
                budget -= 1
                if budget < 0:
                    groups.truncated = True
                    return len(rows)
                if a_text == b_text or (k.entity != "contact" and a_extra and b_extra and a_extra != b_extra):
                    continue
                score = scorer(a_text, b_text)
                if score >= THRESHOLD:
                    groups.add("similar_name", sorted([a_id, b_id]), None, round(score))
    return len(rows)


def _result(session: Session, k: entities.Kind, visible: Any, groups: _Groups, scanned: int) -> CandidateList:
    components = sorted(groups.components(), key=lambda ids: -max(ids))
    if len(components) > MAX_GROUPS:
        components, groups.truncated = components[:MAX_GROUPS], True
    wanted = {i for ids in components for i in ids}
    found = {r.id: r for r in repo.records(session, k.entity, wanted, visible)}
    customers = contact_service.customer_names(session, found.values()) if k.entity == "contact" else {}
    out = []
    for ids in components:
        members = [_record(k.entity, found[i], customers) for i in ids if i in found]
        if len(members) < 2:
            continue
        idset = {m.id for m in members}
        matches = [
            m.model_copy(update={"ids": sorted(set(m.ids) & idset)})
            for m in groups.matches
            if len(set(m.ids) & idset) >= 2
        ]
        out.append(CandidateGroup(entity=k.entity, records=members, matches=matches))
    return CandidateList(entity=k.entity, groups=out, scanned=scanned, truncated=groups.truncated)


def _record(entity: str, r: Any, customers: dict[int, str]) -> CandidateRecord:
    if entity == "lead":
        detail = r.company
    elif entity == "contact":
        detail = customers.get(r.customer_id)
    else:
        detail = r.city
    return CandidateRecord(
        id=r.id,
        name=r.name,
        detail=detail,
        phone=r.phone,
        email=r.email,
        owner_id=r.owner_id,
        updated_at=r.updated_at,
    )
