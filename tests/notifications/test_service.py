"""Notifications: stored as message id + params, rendered per reader; deduplicated; strictly per user."""

from __future__ import annotations

import pytest

from loam.errors import NotFound
from loam.kit.i18n import use_locale
from loam.notifications import service
from tests.helpers import scope_of


def test_dedupe_key_gives_one_row_per_user(session, ids):
    first = service.notify(
        session, ids["ar1"], "pool_warning", {"customer": "甲", "date": "2026-01-05"}, "customer", 1, "k1"
    )
    assert first is not None
    assert (
        service.notify(
            session, ids["ar1"], "pool_warning", {"customer": "甲", "date": "2026-01-05"}, "customer", 1, "k1"
        )
        is None
    )
    assert service.notify(session, ids["sr1"], "pool_warning", {}, "customer", 1, "k1") is not None  # another user
    assert service.notify(session, ids["ar1"], "pool_warning", {}, "customer", 1, "k2") is not None
    assert service.notify(session, ids["ar1"], "pool_returned", {}) is not None  # no key: always stored
    assert service.notify(session, ids["ar1"], "pool_returned", {}) is not None
    assert service.unread_count(session, scope_of(session, ids["ar1"])) == 4


def test_messages_render_in_the_readers_language(session, ids):
    n = service.notify(session, ids["ar1"], "pool_returned", {"customer": "河池电信", "pool": "南宁公海"})
    with use_locale("en"):
        assert service.message(n) == "河池电信 was returned to the public pool 南宁公海"
    with use_locale("zh_CN"):
        assert "河池电信" in service.message(n) and "南宁公海" in service.message(n)
    missing = service.notify(session, ids["ar1"], "pool_returned", {"customer": "甲"})
    with use_locale("en"):
        assert service.message(missing) == "甲 was returned to the public pool "
    unknown = service.notify(session, ids["ar1"], "something_else", {})
    assert service.message(unknown) == "something_else"


def test_users_see_and_mark_only_their_own(session, ids):
    mine = service.notify(session, ids["ar1"], "pool_returned", {"customer": "甲", "pool": "池"})
    theirs = service.notify(session, ids["ar2"], "pool_returned", {"customer": "乙", "pool": "池"})
    session.flush()
    ar1 = scope_of(session, ids["ar1"])
    items, total = service.list_for_user(session, ar1)
    assert total == 1 and items[0].id == mine.id
    with pytest.raises(NotFound):
        service.mark_read(session, ar1, theirs.id)
    assert theirs.read_at is None
    service.mark_read(session, ar1, mine.id)
    first_read = mine.read_at
    assert first_read is not None
    service.mark_read(session, ar1, mine.id)  # idempotent
    assert mine.read_at == first_read
    assert service.unread_count(session, ar1) == 0
    assert service.list_for_user(session, ar1, unread=True)[1] == 0


def test_mark_all_read_touches_only_mine(session, ids):
    for i in range(3):
        service.notify(session, ids["ar1"], "pool_returned", {"customer": str(i), "pool": "池"})
    service.notify(session, ids["ar2"], "pool_returned", {"customer": "x", "pool": "池"})
    session.flush()
    assert service.mark_all_read(session, scope_of(session, ids["ar1"])) == 3
    assert service.unread_count(session, scope_of(session, ids["ar1"])) == 0
    assert service.unread_count(session, scope_of(session, ids["ar2"])) == 1
