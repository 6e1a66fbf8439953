"""The templates' url_for: each route's path is worked out once and filled in after that; every link must be the
one the router builds, and values the cached path cannot vouch for go to the router."""

from __future__ import annotations

import re

import pytest
from starlette.routing import NoMatchFound

from loam.web.templating import path_for
from tests.helpers import app as get_app


def _routes(routes, found: dict[str, set[str]]) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Every named route (nested routers too) with the parameter names of its path (and its prefixes')."""
    for route in routes:
        name, path = getattr(route, "name", None), getattr(route, "path", "") or ""
        if name:
            found.setdefault(name, set()).update(re.findall(r"{(\w+)(?::\w+)?}", path))
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and getattr(inner, "routes", None) is not None and inner is not route:
            _routes(inner.routes, found)
    return found


def test_every_named_route_gives_the_routers_path() -> None:
    app = get_app()
    routes = _routes(app.router.routes, {})
    assert len(routes) > 200
    checked = 0
    for name, keys in sorted(routes.items()):
        for sample in (dict.fromkeys(keys, 7), {k: 7 + i for i, k in enumerate(keys)}, dict.fromkeys(keys, "2026-05")):
            try:
                expected = str(app.url_path_for(name, **sample))
            except (NoMatchFound, ValueError, AssertionError):
                continue
            assert path_for(app, name, sample) == expected, (name, sample)
            assert path_for(app, name, sample) == expected, (name, sample)  # from the cache, the same
            checked += 1
    assert checked > 400  # most routes take both an integer and a text sample


def test_values_the_cache_cannot_vouch_for_go_to_the_router() -> None:
    app = get_app()
    assert path_for(app, "static", {"path": "js/rel_charts.js"}) == "/static/js/rel_charts.js"
    assert path_for(app, "static", {"path": "../secret"}) == str(app.url_path_for("static", path="../secret"))
    assert path_for(app, "contacts:detail", {"contact_id": 12}) == "/contacts/12"
    assert path_for(app, "contacts:detail", {"contact_id": "a b"}) == str(
        app.url_path_for("contacts:detail", contact_id="a b")
    )
    with pytest.raises(NoMatchFound):
        path_for(app, "contacts:detail", {"nope": 1})
    with pytest.raises(NoMatchFound):
        path_for(app, "no-such-route", {})
