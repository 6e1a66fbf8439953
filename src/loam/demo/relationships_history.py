"""The quarter before the demo's year of follow-ups (loam.demo.relationships).

The loader's follow-ups (loam.demo.records) cover the past year. Relationship scores look back further: coverage and
contact frequency count the touches of the 90 days before the day scored, and the health page compares with the
same month a year earlier. So the months before that year are filled the way the loader fills its year — in bulk,
with every server-owned field set as the follow-ups service would (author, participants, contacts, audit row) —
for every customer that existed then, except the improving customer of the story (barely known a year ago).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from loam.demo import names as nm
from loam.demo.loader import FOLLOWUPS_PER_YEAR
from loam.demo.records import met, note
from loam.demo.relationships import FollowUpRow, Rel

WINDOW_DAYS = 100  # how far before the loader's year the history goes
YEAR_DAYS = 365  # the loader's year (loam.demo.records.history)


def older_followups(rel: Rel) -> None:
    """Insert the follow-ups of the ``WINDOW_DAYS`` days before the loader's year, with their links and audit."""
    from loam.activities.models import FollowUp, followup_contacts, followup_participants
    from loam.kit.models import AuditLog

    ld = rel.ld
    rows: list[dict[str, Any]] = []
    links: list[tuple[set[int], list[int]]] = []
    for cid in sorted(rel.plans):
        plan = rel.plans[cid]
        if cid == rel.story["improves"] or not plan.contacts:
            continue
        for fu, people, contacts in _history(rel, plan):
            rows.append(fu)
            links.append((people, contacts))
    if not rows:
        return
    ids = ld.insert(FollowUp, rows, ids=True)
    pairs = list(zip(ids, links, strict=True))
    ld.insert(followup_participants, [{"followup_id": i, "user_id": u} for i, (ps, _c) in pairs for u in sorted(ps)])
    ld.insert(followup_contacts, [{"followup_id": i, "contact_id": c} for i, (_p, cs) in pairs for c in cs])
    audit = [
        {
            "entity": "followup",
            "entity_id": fid,
            "action": "create",
            "user_id": fu["created_by"],
            "at": fu["created_at"],
            "changes": {"kind": [None, fu["kind"]], "customer_id": [None, fu["customer_id"]], "lead_id": [None, None]},
        }
        for fid, fu in zip(ids, rows, strict=True)
    ]
    ld.insert(AuditLog, audit)
    ld.fix_sequences()
    for fid, fu in zip(ids, rows, strict=True):
        rel.followups.setdefault(fu["customer_id"], []).append(FollowUpRow(fid, fu["occurred_at"], fu["kind"]))
    for found in rel.followups.values():
        found.sort(key=lambda f: (f.occurred_at, f.id))


def _history(rel: Rel, plan: Any) -> list[tuple[dict[str, Any], set[int], list[int]]]:
    """The customer's follow-ups between ``WINDOW_DAYS`` days before the loader's year and its start (as
    loam.demo.records.history draws them: kinds, contacts by level, notes, colleagues on visits)."""
    r, row, now = rel.rng, plan.row, rel.now
    year_start = max(row["created_at"], now - timedelta(days=YEAR_DAYS))
    begin = max(row["created_at"] + timedelta(hours=1), now - timedelta(days=YEAR_DAYS + WINDOW_DAYS))
    if begin >= year_start - timedelta(days=5):
        return []
    span = (year_start - begin).total_seconds()
    n = round(FOLLOWUPS_PER_YEAR[row["tier"]] * span / 86400 / YEAR_DAYS * r.uniform(0.75, 1.25))
    out = []
    for _ in range(n):
        moment = rel.ago((now - begin).total_seconds() / 86400 - r.uniform(0, span / 86400))
        moment = min(max(moment, begin), year_start - timedelta(hours=1))
        kind = r.choices(list(nm.FOLLOWUP_KINDS), weights=list(nm.FOLLOWUP_KINDS.values()))[0]
        owner, since = row["owner_id"], row["owner_since"]
        author = owner if owner and since and moment >= since else row["previous_owner_id"] or owner
        chosen = met(r, plan.contacts, kind)
        content = note(rel.ld, plan, kind, chosen[0])
        people = {author} - {None}
        if "方案经理" in content or (kind in ("visit", "meeting", "reception") and r.random() < 0.3):
            people.add(rel.users["sr1"])
        if kind in ("visit", "meeting", "reception") and r.random() < 0.15:
            people.add(rel.users["fr1"])
        created = moment + timedelta(minutes=r.randint(5, 240))
        fu = {
            "customer_id": row["id"],
            "lead_id": None,
            "kind": kind,
            "occurred_at": moment,
            "content": content,
            "next_step": r.choice(nm.NEXT_STEPS) if r.random() < 0.6 else None,
            "next_contact_at": None,
            "created_by": author,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }
        out.append((fu, people, [c["id"] for c in chosen]))
    return out
