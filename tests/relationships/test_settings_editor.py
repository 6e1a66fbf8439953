"""The settings editor page: every section in one form, saved as a new version with a note; bad input re-renders
the form with messages and stores nothing; a stale page is refused; the version history."""

from __future__ import annotations

from typing import Any

from loam.relationships import settings
from tests.helpers import login, post_form

URL = "/relationships/settings"


def form_of(data: dict[str, Any], base: int, note: str | None = "") -> dict[str, Any]:
    """The editor's fields for a settings document (what the page would post unchanged)."""
    out: dict[str, Any] = {"base_version": str(base), "note": note or ""}

    def walk(prefix: str, value: Any) -> None:
        if prefix.startswith("coverage.templates."):
            out[prefix] = "\n".join(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}.{i}", v)
        else:
            out[prefix] = "" if value is None else str(value)

    walk("", data)
    return out


def _current(session) -> tuple[dict[str, Any], int]:
    row = settings.current_row(session)
    session.flush()
    return row.data, row.version


def test_the_editor_shows_every_section_and_the_history(session) -> None:
    _data, version = _current(session)
    c = login("admin")
    page = c.get(URL)
    assert page.status_code == 200
    for name in ("health.weights.key", "health.bands.at_risk", "key.weights.stage", "key.expected_days.middle",
                 "coverage.window_days", "coverage.level_weights.executive", "coverage.grades.A",
                 "coverage.templates.telecom", "coverage.templates.manufacturing", "org.items.7.weight",
                 "org.grades.B", "stages.3.exit_en", "intel.verify_sources", "exec.default_days"):  # fmt: skip
        assert f'name="{name}"' in page.text, name
    assert 'name="health.weights.key" inputmode="decimal" value="45"' in page.text
    assert "网络部\n市场部" in page.text  # the telecom template, one department per line
    assert f'data-version="{version}"' in page.text


def test_saving_stores_a_new_version_with_the_note(session, ids) -> None:
    data, version = _current(session)
    form = form_of(data, version, "加大关键关系权重")
    form |= {"health.weights.key": "50", "health.weights.org": "20"}
    form["coverage.templates.manufacturing"] = "生产部\n 采购部 \n\n质量部"
    form["coverage.templates.telecom"] = ""  # telecom customers now use the default template
    form |= {"org.items.8.key": "joint_lab", "org.items.8.zh": "联合实验室", "org.items.8.en": "Joint lab",
             "org.items.8.weight": "5", "org.items.7.remove": "true"}  # fmt: skip
    c = login("admin")
    r = post_form(c, URL, form)
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"].endswith(f"?saved={version + 1}")
    row = settings.current_row(session)
    assert (row.version, row.note, row.created_by) == (version + 1, "加大关键关系权重", ids["admin"])
    assert row.data["health"]["weights"] == {"key": 50, "broad": 30, "org": 20}
    assert row.data["coverage"]["templates"]["manufacturing"] == ["生产部", "采购部", "质量部"]
    assert "telecom" not in row.data["coverage"]["templates"]
    assert [i["key"] for i in row.data["org"]["items"]][-2:] == ["satisfaction", "joint_lab"]  # crisis removed
    assert row.data["stages"] == data["stages"] and row.data["key"] == data["key"]
    assert settings.version(session, version) == data  # the old version is untouched
    assert "settings-saved" in c.get(r.headers["location"]).text


def _refused(session, form: dict[str, Any], status: int = 422, user: str = "admin") -> str:
    before = settings.current_row(session).version
    r = post_form(login(user), URL, form)
    assert r.status_code == status, r.text[:500]
    assert settings.current_row(session).version == before  # nothing stored
    return r.text


def test_bad_weights_are_form_errors_and_store_nothing(session) -> None:
    data, version = _current(session)
    text = _refused(session, form_of(data, version) | {"health.weights.key": "-5"})
    assert 'data-testid="error-health.weights.key"' in text and "form-error" in text
    zeros = {"health.weights.key": "0", "health.weights.broad": "0", "health.weights.org": "0"}
    text = _refused(session, form_of(data, version) | zeros)
    assert 'data-testid="error-health.weights"' in text
    text = _refused(session, form_of(data, version) | {"key.weights.stage": "lots"})
    assert 'data-testid="error-key.weights.stage"' in text
    assert 'value="lots"' in text  # the form keeps what was typed


def test_rules_the_schema_does_not_state(session) -> None:
    data, version = _current(session)
    text = _refused(session, form_of(data, version) | {"health.bands.at_risk": "70"})  # above sub-healthy 60
    assert 'data-testid="error-health.bands"' in text
    text = _refused(session, form_of(data, version) | {"coverage.templates.default": "  "})
    assert 'data-testid="error-coverage.templates.default"' in text
    text = _refused(session, form_of(data, version) | {"org.items.1.key": "strategic_agreement"})
    assert 'data-testid="error-org.items"' in text
    text = _refused(session, form_of(data, version) | {"org.items.0.key": "Bad Key"})
    assert 'data-testid="error-org.items.0.key"' in text
    text = _refused(session, form_of(data, version) | {"stages.2.zh": ""})
    assert 'data-testid="error-stages.2.zh"' in text


def test_unchanged_and_stale_pages_are_refused(session) -> None:
    data, version = _current(session)
    assert "form-error" in _refused(session, form_of(data, version))  # nothing changed
    changed = form_of(data, version) | {"exec.default_days": "60"}
    assert post_form(login("admin"), URL, changed).status_code == 303
    text = _refused(session, form_of(data, version) | {"exec.default_days": "45"}, status=409)
    assert f"version {version + 1}" in text or str(version + 1) in text


def test_a_past_version_can_be_loaded_into_the_form(session) -> None:
    data, version = _current(session)
    assert post_form(login("admin"), URL, form_of(data, version) | {"health.weights.key": "60"}).status_code == 303
    page = login("admin").get(URL, params={"from_version": version})
    assert 'name="health.weights.key" inputmode="decimal" value="45"' in page.text
    assert f'name="base_version" value="{version + 1}"' in page.text  # saving it would make a new version
    assert login("admin").get(URL, params={"from_version": 999}).status_code == 404


def test_only_managers_use_the_editor(session, ids) -> None:
    data, version = _current(session)
    assert login("ar1").get(URL).status_code == 403
    assert login("director").get(URL).status_code == 200  # directors hold relationships.manage
    _refused(session, form_of(data, version) | {"exec.default_days": "60"}, status=403, user="ar1")
    anon = login("admin")
    anon.cookies.clear()
    r = anon.get(URL)
    assert r.status_code == 303 and "/login" in r.headers["location"]


def test_the_editor_renders_in_both_languages(session) -> None:
    c = login("admin")
    assert 'lang="zh-CN"' in c.get(URL).text
    assert post_form(c, "/locale", {"locale": "en"}).status_code == 303
    page = c.get(URL)
    assert 'lang="en"' in page.text and "Relationship method" in page.text and "Version history" in page.text
