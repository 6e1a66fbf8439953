"""HTML pages of the intelligence network and the executive pool (thin): the intel list, form and item page, the
customer's intel and pairings sections, the executive pool, a pairing's page with its meetings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.kit import audit
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.relationships import access, execpool, intel
from loam.relationships.schemas_network import (
    CHANGES,
    CONFIDENCES,
    INTEL_KINDS,
    MAX_SOURCES,
    MEETING_STATUSES,
    STANCES,
    IntelCreate,
    IntelFilters,
    IntelUpdate,
    MeetingCreate,
    MeetingUpdate,
    PairingCreate,
    PairingFilters,
    PairingUpdate,
    SourceWrite,
    intel_rule_errors,
    meeting_rule_errors,
)
from loam.web.forms import FormData, lax, list_filters, record_id, submit
from loam.web.templating import is_htmx, redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
PAGE_SIZE = 25
SECTION_ITEMS = 8
BLANK_SOURCE_ROWS = 3
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
OptId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _options() -> dict[str, Any]:
    return {
        "kinds": [(k, _(v)) for k, v in INTEL_KINDS.items()],
        "confidences": [(k, _(v)) for k, v in CONFIDENCES.items()],
        "stances": [(k, _(v)) for k, v in STANCES.items()],
        "changes": [(k, _(v)) for k, v in CHANGES.items()],
        "meeting_statuses": [(k, _(v)) for k, v in MEETING_STATUSES.items()],
        "KINDS": {k: _(v) for k, v in INTEL_KINDS.items()},
        "CONFIDENCE": {k: _(v) for k, v in CONFIDENCES.items()},
        "STANCE": {k: _(v) for k, v in STANCES.items()},
        "CHANGE": {k: _(v) for k, v in CHANGES.items()},
        "MEETING_STATUS": {k: _(v) for k, v in MEETING_STATUSES.items()},
    }


def _flat(errors: dict[str, str]) -> dict[str, str]:
    """``sources.0.stance`` → ``sources``, ``contact_ids.1`` → ``contact_ids``: one message per form field."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        out.setdefault(key.split(".")[0], message)
    return out


# --- intelligence: list, form, item ---


@router.get("/relationships/intel", name="relationships:intel")
def intel_list(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[IntelFilters, Depends(list_filters(IntelFilters))],
    page: PageNo = 1,
) -> Response:
    """The visible intel items, newest first, with filters (customer, type, verified, conflicting, competitor,
    dates) and paging; an HTMX filter change gets the table only."""
    items, total = intel.list_page(session, scope, filters, page, PAGE_SIZE)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "names": intel.labels(session, scope, items),
        "chosen_customer": intel.customer_name(session, scope, filters.customer_id),
        "can_edit": scope.can(Permission.relationships_update),
    }
    table = is_htmx(request) and request.headers.get("hx-target") == "intel-table"
    name = "relationships/_intel_table.html" if table else "relationships/intel.html"
    return render(request, name, ctx | _options())


def _source_rows(values: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for s in values.get("sources") or []:
        who = f"c:{s['contact_id']}" if s.get("contact_id") else (f"u:{s['user_id']}" if s.get("user_id") else "")
        rows.append({"who": who, "stance": s.get("stance") or "confirms"})
    return rows + [{"who": "", "stance": "confirms"}] * BLANK_SOURCE_ROWS


def _intel_form(
    request: Request,
    session: Session,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    item: Any = None,
    status: int = 200,
) -> Response:
    customer_id = item.customer_id if item is not None else record_id(values.get("customer_id"))
    ctx: dict[str, Any] = {"item": item, "values": values, "errors": _flat(errors), "customer": None}
    if customer_id is not None:
        ctx["customer"] = access.customer(session, scope, customer_id, write=True)
        ctx |= intel.choices(session, scope, customer_id)
    else:
        ctx["customers"] = intel.customer_choices(session, scope)
    ctx["source_rows"] = _source_rows(values)
    chosen = values.get("contact_ids") or []
    ctx["chosen_contacts"] = {str(c) for c in (chosen if isinstance(chosen, list) else [chosen])}
    return render(request, "relationships/intel_form.html", ctx | _options(), status_code=status)


def _form_values(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted form as the schema wants it: ``source-<i>`` ("c:<contact id>" / "u:<user id>") and
    ``stance-<i>`` rows become ``sources``; no related contacts chosen means none."""
    data = {k: v for k, v in form.items() if not k.startswith(("source-", "stance-"))}
    sources: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for i in range(MAX_SOURCES + BLANK_SOURCE_ROWS):
        who = form.get(f"source-{i}")
        if not who:
            continue
        kind, _sep, number = str(who).partition(":")
        person = record_id(number)
        if kind not in ("c", "u") or person is None:
            errors["sources"] = _("Choose a source from the list.")
            continue
        stance = form.get(f"stance-{i}") or "confirms"
        sources.append({"contact_id" if kind == "c" else "user_id": person, "stance": stance})
    data["sources"] = sources
    data["contact_ids"] = [record_id(c) or c for c in (data.get("contact_ids") or [])]
    return data, errors | intel_rule_errors(data)


@router.get("/relationships/intel/new", name="relationships:intel_new")
def intel_new(request: Request, session: DbSession, scope: CurrentScope, customer_id: OptId = None) -> Response:
    """The item form; without ``customer_id`` it starts with a customer picker."""
    values = {"customer_id": customer_id, "confidence": "medium", "occurred_on": intel.today().isoformat()}
    return _intel_form(request, session, scope, values, {})


@router.post("/relationships/intel", name="relationships:intel_create")
def intel_create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    data, errors = _form_values(form)
    if errors:
        return _intel_form(request, session, scope, data, errors, status=422)
    done, failed = submit(
        session,
        data,
        lax(IntelCreate),
        lambda d: intel.create(session, scope, d),
        lambda errs, status: _intel_form(request, session, scope, data, errs, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("relationships:intel_item", item_id=done.id)))


def _item_page(
    request: Request, session: Session, scope: Scope, item_id: int, errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    item = intel.get(session, scope, item_id)
    history = intel.history(session, scope, item_id) if scope.can(Permission.audit_view) else []
    can_edit = scope.can(Permission.relationships_update)
    ctx = {
        "it": item,
        "names": intel.labels(session, scope, [item]),
        "history": history,
        "history_names": org_service.names_by_id(session, set(audit.user_ids_in(history))),
        "can_edit": can_edit,
        "errors": _flat(errors or {}),
        "values": values or {},
        "verify_sources": intel.rules(session)["verify_sources"],
    }
    if can_edit:
        ctx |= intel.choices(session, scope, item.customer_id)
    return render(request, "relationships/intel_item.html", ctx | _options(), status_code=status)


@router.get("/relationships/intel/{item_id}", name="relationships:intel_item")
def intel_item(request: Request, session: DbSession, scope: CurrentScope, item_id: PathId) -> Response:
    """An item: its sources and whether they verify it or conflict, related contacts, its history."""
    return _item_page(request, session, scope, item_id)


@router.get("/relationships/intel/{item_id}/edit", name="relationships:intel_edit")
def intel_edit(request: Request, session: DbSession, scope: CurrentScope, item_id: PathId) -> Response:
    item = intel.get(session, scope, item_id)
    values = {f: getattr(item, f) for f in intel.FIELDS} | {
        "version": item.version,
        "contact_ids": item.contact_ids,  # type: ignore[attr-defined]
        "sources": [  # one row per person and stance (repeated reports stay as they are)
            {"contact_id": c, "user_id": u, "stance": st}
            for c, u, st in dict.fromkeys((s.contact_id, s.user_id, s.stance) for s in item.sources)  # type: ignore[attr-defined]
        ],
    }
    return _intel_form(request, session, scope, values, {}, item)


@router.post("/relationships/intel/{item_id}/edit", name="relationships:intel_update")
def intel_update(
    request: Request, session: DbSession, scope: CurrentScope, item_id: PathId, form: FormData
) -> Response:
    item = intel.get(session, scope, item_id)
    data, errors = _form_values(form)
    data.pop("customer_id", None)
    if errors:
        return _intel_form(request, session, scope, data, errors, item, status=422)
    _done, failed = submit(
        session,
        data,
        lax(IntelUpdate),
        lambda d: intel.update(session, scope, item_id, d),
        lambda errs, status: _intel_form(request, session, scope, data, errs, item, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("relationships:intel_item", item_id=item_id)))


@router.post("/relationships/intel/{item_id}/sources", name="relationships:intel_source_add")
def intel_source_add(
    request: Request, session: DbSession, scope: CurrentScope, item_id: PathId, form: FormData
) -> Response:
    """Note one more report (a contact or a user; confirms or contradicts)."""
    data, errors = _form_values({"source-0": form.get("source"), "stance-0": form.get("stance")})
    source = data["sources"][0] if data["sources"] else {}
    rerender = lambda errs, status: _item_page(request, session, scope, item_id, errs, form, status)  # noqa: E731
    if errors.get("sources") or not source:
        return rerender({"source": errors.get("sources") or _("Choose a source from the list.")}, 422)  # type: ignore[no-any-return]
    _done, failed = submit(
        session, source, SourceWrite, lambda d: intel.add_source(session, scope, item_id, d), rerender
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("relationships:intel_item", item_id=item_id)))


@router.post("/relationships/intel/{item_id}/delete", name="relationships:intel_delete")
def intel_delete(request: Request, session: DbSession, scope: CurrentScope, item_id: PathId) -> Response:
    item = intel.delete_(session, scope, item_id)
    url = request.url_for("relationships:intel").include_query_params(customer_id=item.customer_id)
    return redirect(request, str(url))


@router.get("/customers/{customer_id}/relationships/intel", name="relationships:intel_section")
def intel_section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The customer's intelligence: latest items with their flags, active sources per department, sources that
    need maintenance, and the competitor timeline."""
    items = intel.latest_for_customer(session, scope, customer_id, SECTION_ITEMS)
    ctx = {
        "customer_id": customer_id,
        "items": items,
        "names": intel.labels(session, scope, items),
        "report": intel.sources_report(session, scope, customer_id),
        "timeline": intel.competitor_timeline(session, scope, customer_id),
        "can_edit": scope.can(Permission.relationships_update),
    }
    return render(request, "relationships/_intel_section.html", ctx | _options())


# --- executive pool ---


@router.get("/relationships/exec-pool", name="relationships:exec_pool")
def exec_pool(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    due: Annotated[bool | None, Query()] = None,
    user_id: OptId = None,
) -> Response:
    """Every visible executive pairing grouped by our executive: last and next meeting, due flag."""
    pairings = execpool.list_all(session, scope, PairingFilters(due=due, user_id=user_id))
    names = execpool.labels(session, pairings)
    groups: dict[int, list[Any]] = {}
    for p in pairings:
        groups.setdefault(p.user_id, []).append(p)
    ordered = sorted(groups.items(), key=lambda kv: names["users"].get(kv[0], ""))
    ctx = {
        "groups": ordered,
        "names": names,
        "due": due,
        "user_id": user_id,
        "users": org_service.active_users(session),
        "count": len(pairings),
        "due_count": len([p for p in pairings if p.due]),  # type: ignore[attr-defined]
    }
    return render(request, "relationships/exec_pool.html", ctx | _options())


def _section_ctx(session: Session, scope: Scope, customer_id: int) -> dict[str, Any]:
    pairings = execpool.for_customer(session, scope, customer_id)
    ctx: dict[str, Any] = {
        "customer_id": customer_id,
        "pairings": pairings,
        "names": execpool.labels(session, pairings),
        "can_edit": scope.can(Permission.relationships_update),
    }
    if ctx["can_edit"]:
        ctx |= execpool.options(session, scope, customer_id)
    return ctx


@router.get("/customers/{customer_id}/relationships/pairings", name="relationships:pairings_section")
def pairings_section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The customer's executive pairings with their rhythm, and a form to pair one more."""
    ctx = _section_ctx(session, scope, customer_id) | {"values": {}, "errors": {}}
    return render(request, "relationships/_pairings_section.html", ctx | _options())


def _pairing_new(
    request: Request, session: Session, scope: Scope, customer_id: int, values: dict[str, Any],
    errors: dict[str, str], status: int = 200,
) -> Response:  # fmt: skip
    customer = access.customer(session, scope, customer_id, write=True)
    ctx = {"customer": customer, "customer_id": customer_id, "values": values, "errors": errors}
    ctx |= execpool.options(session, scope, customer_id)
    return render(request, "relationships/pairing_new.html", ctx, status_code=status)


@router.get("/customers/{customer_id}/relationships/pairings/new", name="relationships:pairing_new")
def pairing_new(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    return _pairing_new(request, session, scope, customer_id, {}, {})


@router.post("/customers/{customer_id}/relationships/pairings", name="relationships:pairing_create")
def pairing_create(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData
) -> Response:
    """Pair one of our executives with a contact of the customer; back to the customer's relationships."""
    access.customer(session, scope, customer_id, write=True)
    done, failed = submit(
        session,
        form,
        lax(PairingCreate),
        lambda d: execpool.create(session, scope, d),
        lambda errs, status: _pairing_new(request, session, scope, customer_id, form, errs, status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("relationships:pairing", pairing_id=done.id)))


def _pairing_page(
    request: Request, session: Session, scope: Scope, pairing_id: int, form_name: str | None = None,
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    pairing = execpool.get(session, scope, pairing_id)
    can_edit = scope.can(Permission.relationships_update)
    history = execpool.history(session, scope, pairing_id) if scope.can(Permission.audit_view) else []
    ctx = {
        "p": pairing,
        "names": execpool.labels(session, [pairing]),
        "can_edit": can_edit,
        "form_name": form_name,
        "values": values or {},
        "errors": errors or {},
        "users": org_service.active_users(session) if can_edit else [],
        "history": history,
        "history_names": org_service.names_by_id(session, set(audit.user_ids_in(history))),
        "today": intel.today(),
    }
    return render(request, "relationships/pairing.html", ctx | _options(), status_code=status)


@router.get("/relationships/pairings/{pairing_id}", name="relationships:pairing")
def pairing_detail(request: Request, session: DbSession, scope: CurrentScope, pairing_id: PathId) -> Response:
    """A pairing: its rhythm, its meetings (plan, mark held or cancelled), its history."""
    return _pairing_page(request, session, scope, pairing_id)


def _back_to_pairing(request: Request, pairing_id: int) -> Response:
    return redirect(request, str(request.url_for("relationships:pairing", pairing_id=pairing_id)))


@router.post("/relationships/pairings/{pairing_id}/edit", name="relationships:pairing_update")
def pairing_update(
    request: Request, session: DbSession, scope: CurrentScope, pairing_id: PathId, form: FormData
) -> Response:
    _done, failed = submit(
        session,
        form,
        lax(PairingUpdate),
        lambda d: execpool.update(session, scope, pairing_id, d),
        lambda errs, status: _pairing_page(request, session, scope, pairing_id, "edit", form, errs, status),
    )
    return failed if failed is not None else _back_to_pairing(request, pairing_id)  # type: ignore[no-any-return]


@router.post("/relationships/pairings/{pairing_id}/delete", name="relationships:pairing_delete")
def pairing_delete(request: Request, session: DbSession, scope: CurrentScope, pairing_id: PathId) -> Response:
    pairing = execpool.delete_(session, scope, pairing_id)
    url = str(request.url_for("relationships:customer", customer_id=pairing.customer_id)) + "#rel-pairings"
    return redirect(request, url)


@router.post("/relationships/pairings/{pairing_id}/meetings", name="relationships:pairing_meeting_add")
def pairing_meeting_add(
    request: Request, session: DbSession, scope: CurrentScope, pairing_id: PathId, form: FormData
) -> Response:
    """Plan a meeting, or record one held (with the date held)."""
    rerender = lambda errs, status: _pairing_page(request, session, scope, pairing_id, "meeting", form, errs, status)  # noqa: E731
    if errors := meeting_rule_errors(form | {"status": form.get("status") or "planned"}):
        return rerender(errors, 422)  # type: ignore[no-any-return]
    add = lambda d: execpool.add_meeting(session, scope, pairing_id, d)  # noqa: E731
    _done, failed = submit(session, form, lax(MeetingCreate), add, rerender)
    return failed if failed is not None else _back_to_pairing(request, pairing_id)  # type: ignore[no-any-return]


@router.post("/relationships/meetings/{meeting_id}", name="relationships:meeting_update")
def meeting_update(
    request: Request, session: DbSession, scope: CurrentScope, meeting_id: PathId, form: FormData
) -> Response:
    """Change a meeting: mark it held (with the date), cancel it, move it, note a summary."""
    meeting = execpool.get_meeting(session, scope, meeting_id)
    pairing_id = meeting.pairing_id
    rerender = lambda errs, status: _pairing_page(  # noqa: E731
        request, session, scope, pairing_id, f"meeting-{meeting_id}", form, errs, status
    )
    _done, failed = submit(
        session, form, lax(MeetingUpdate), lambda d: execpool.update_meeting(session, scope, meeting_id, d), rerender
    )
    return failed if failed is not None else _back_to_pairing(request, pairing_id)  # type: ignore[no-any-return]
