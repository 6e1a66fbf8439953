"""Active sources per department, the "needs maintenance" flag, and the competitor timeline — hand-built fixtures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loam.errors import NotFound
from loam.relationships import intel
from loam.relationships import settings as method_settings
from tests.helpers import scope_of
from tests.relationships import network_factories as f

T = f.TODAY


@pytest.fixture
def net(session, ids):
    """ar1's customer:
    技术部  A source, met 10 days ago            → active
            B source, last met 91 days ago        → active, needs maintenance (91 > 90)
            G source, met 90 days ago at 00:00    → active (the window's first moment counts)
            C no source                           → a contact only
    采购部  D source, never met in a follow-up    → active, needs maintenance
            E source, then left (org change)      → not counted at all
    (none)  H source of an item now in the bin    → not a source
    ar2 (our user) confirms too — users are sources, but not contacts of a department."""
    own = ids["ar1"]
    c = f.customer(session, own)
    a, b, g, cc = (f.contact(session, own, c.id, n, "技术部") for n in ("甲", "乙", "庚", "丙"))
    d, e = (f.contact(session, own, c.id, n, "采购部") for n in ("丁", "戊"))
    h = f.contact(session, own, c.id, "辛")
    f.touch(session, own, c.id, [a.id, cc.id], f.days_ago(10))
    f.touch(session, own, c.id, [b.id], f.days_ago(91))
    f.touch(session, own, c.id, [g.id], f.days_ago(90, hour=0))
    sources = [f.src(x.id) for x in (a, b, g, d, e)] + [f.src(user_id=ids["ar2"])]
    f.item(session, own, c.id, "多人证实的预算", sources=sources)
    gone = f.item(session, own, c.id, "被删除的情报", sources=[f.src(h.id)])
    intel.delete_(session, scope_of(session, own), gone.id)
    f.item(
        session,
        own,
        c.id,
        "戊离职",
        kind="org_change",
        subject_contact_id=e.id,
        change="left",
        occurred_on=T - timedelta(days=1),
    )
    return {"c": c, "a": a, "b": b, "g": g, "d": d, "e": e, "h": h}


def test_sources_per_department_and_stale_flags(session, ids, net):
    report = intel.sources_report(session, scope_of(session, ids["ar1"]), net["c"].id, T)
    assert report.stale_days == 90
    rows = [(d.dept_name, d.contacts, d.active, d.stale) for d in report.departments]
    # Most active department first, "no department" last.
    assert rows == [("技术部", 4, 3, 1), ("采购部", 1, 1, 1), (None, 1, 0, 0)]
    flags = {s.contact_id: s.stale for s in report.sources}
    assert flags == {net["a"].id: False, net["b"].id: True, net["g"].id: False, net["d"].id: True}
    last = {s.contact_id: s.last_touch_at for s in report.sources}
    assert last[net["d"].id] is None
    assert last[net["a"].id] == f.days_ago(10)


def test_the_stale_window_is_a_setting(session, ids, net):
    """source_stale_days 95: B (met 91 days ago) is fine again; D (never met) still needs maintenance."""
    data = method_settings.current(session) | {"intel": {"verify_sources": 2, "source_stale_days": 95}}
    method_settings.save(session, scope_of(session, ids["admin"]), method_settings.SettingsWrite(data=data))
    session.flush()
    report = intel.sources_report(session, scope_of(session, ids["ar1"]), net["c"].id, T)
    assert {s.contact_id for s in report.sources if s.stale} == {net["d"].id}


def test_a_source_is_active_for_a_year(session, ids, net):
    """366 days after the reports nobody is an active source any more (contacts stay counted)."""
    report = intel.sources_report(session, scope_of(session, ids["ar1"]), net["c"].id, T + timedelta(days=366))
    assert report.sources == []
    assert [(d.dept_name, d.contacts, d.active) for d in report.departments] == [
        ("技术部", 4, 0),
        ("采购部", 1, 0),
        (None, 1, 0),
    ]


def test_set_based_reader_and_scope(session, ids, net):
    other = f.customer(session, ids["ar1"], "空客户")
    reports = intel.source_networks(session, [net["c"].id, other.id], T)
    assert reports[other.id].departments == [] and reports[other.id].sources == []
    assert len(reports[net["c"].id].sources) == 4
    with pytest.raises(NotFound):
        intel.sources_report(session, scope_of(session, ids["ar2"]), net["c"].id, T)


def test_competitor_timeline(session, ids):
    own = ids["ar1"]
    c = f.customer(session, own)
    x = f.contact(session, own, c.id, "甲")
    f.item(session, own, c.id, "中兴降价 10%", kind="competitor", competitor="中兴", occurred_on=T - timedelta(days=30))
    f.item(
        session,
        own,
        c.id,
        "Ericsson demo",
        kind="competitor",
        competitor="Ericsson",
        occurred_on=T - timedelta(days=20),
    )
    late = f.item(
        session,
        own,
        c.id,
        "中兴高层拜访",
        kind="competitor",
        competitor=" 中 兴 ",
        occurred_on=T - timedelta(days=5),
        sources=[f.src(x.id), f.src(user_id=ids["sr1"])],
    )
    f.item(
        session,
        own,
        c.id,
        "ericsson quits",
        kind="competitor",
        competitor="ERICSSON",
        occurred_on=T - timedelta(days=10),
    )
    f.item(session, own, c.id, "不是竞争情报", kind="project")
    groups = intel.competitor_timeline(session, scope_of(session, own), c.id)
    # Grouped without case or spaces, the group with the newest move first, each group oldest first.
    assert [(g.competitor, [i.content for i in g.items]) for g in groups] == [
        ("中兴", ["中兴降价 10%", "中兴高层拜访"]),
        ("Ericsson", ["Ericsson demo", "ericsson quits"]),
    ]
    assert groups[0].items[1].id == late.id and groups[0].items[1].verified is True
