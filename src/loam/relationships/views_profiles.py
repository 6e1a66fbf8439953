"""Pages of key relationships (thin): the contact's relationship card (loaded into the contact page) and its forms,
the customer's key-relationship section, and the rising stars page.

The card's forms post normally (Post/Redirect/Get back to the contact page); a refused form re-renders the card on
its own page with the messages next to the fields, nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.contacts.schemas import LEVELS
from loam.errors import LoamError
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.opportunities.schemas import CONTACT_ROLES
from loam.org import service as org_service
from loam.relationships import profiles
from loam.relationships.schemas_profiles import (
    CHAINS,
    INFLUENCE,
    MAX_COMPETITORS,
    PREFERENCES,
    RISING_REASONS,
    SUPPORT,
    CompetitorPreferencesWrite,
    Departure,
    ProfileUpdate,
    RelationOwnersWrite,
    StageChange,
)
from loam.web.forms import FormData, errors_of, lax, parse
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
BLANK_COMPETITOR_ROWS = 3


def options() -> dict[str, Any]:
    return {
        "SUPPORT": SUPPORT,
        "INFLUENCE": INFLUENCE,
        "CHAINS": CHAINS,
        "PREFERENCES": PREFERENCES,
        "RISING_REASONS": RISING_REASONS,
        "ROLES": CONTACT_ROLES,
        "LEVELS": LEVELS,
        "support_options": [(k, f"{k:+d} {_(label)}" if k else f"0 {_(label)}") for k, label in SUPPORT.items()],
        "influence_options": translated(INFLUENCE),
        "chain_options": translated(CHAINS),
        "role_options": translated(CONTACT_ROLES),
        "preference_options": translated(PREFERENCES),
        "blank_rows": BLANK_COMPETITOR_ROWS,
    }


def card_context(
    session: Session,
    scope: Scope,
    contact_id: int,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The card of one visible contact; ``failed`` names the form whose ``errors`` and ``values`` to show."""
    card = profiles.card(session, scope, contact_id)
    p, values = card.profile, values or {}
    ids = set(card.owner_ids) | {h.changed_by for h in card.history} | {p.rising_owner_id, p.updated_by}
    profile = {f: getattr(p, f) for f in profiles.PROFILE_FIELDS} | {"version": p.version}
    profile |= {"personality": card.contact.personality, "preferences": card.contact.preferences}
    rows = [{"competitor": x.competitor, "preference": x.preference} for x in card.competitors]
    return {
        "card": card,
        "c": card.contact,
        "p": p,
        "saved": profiles.is_saved(p),
        "stage_names": {s["n"]: s["name"] for s in card.stages},
        "names": org_service.names_by_id(session, ids),
        "users": org_service.active_users(session),
        "failed": failed,
        "errors": errors or {},
        "values": values,
        "profile_values": values if failed == "profile" else profile,
        "competitor_rows": values.get("items", []) if failed == "competitors" else rows,
        "owner_values": values.get("user_ids", []) if failed == "owners" else card.owner_ids,
    } | options()


@router.get("/contacts/{contact_id}/relationship/card", name="relationships:contact_card")
def contact_card(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId) -> Response:
    """The relationship card fragment the contact page loads."""
    return render(request, "relationships/_contact_profile.html", card_context(session, scope, contact_id))


@router.get("/contacts/{contact_id}/relationship", name="relationships:contact")
def contact_page(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId) -> Response:
    """The relationship card on a page of its own."""
    return render(request, "relationships/profile_page.html", card_context(session, scope, contact_id))


def _submit(
    request: Request,
    session: Session,
    scope: Scope,
    contact_id: int,
    name: str,
    schema: type[BaseModel],
    data: dict[str, Any],
    action: Callable[[Any], Any],
) -> Response:
    """Parse ``data`` into ``schema`` and run ``action``: back to the contact page, or the card with the errors."""
    parsed, errors = parse(lax(schema), data)
    status = 422
    if parsed is not None:
        try:
            action(parsed)
            url = str(request.url_for("contacts:detail", contact_id=contact_id))
            return redirect(request, url + "#relationship")
        except LoamError as exc:
            if exc.status_code in (403, 404):
                raise
            session.rollback()
            errors, status = errors_of(exc), exc.status_code
    ctx = card_context(session, scope, contact_id, name, errors, data)
    return render(request, "relationships/profile_page.html", ctx, status_code=status)


@router.post("/contacts/{contact_id}/relationship", name="relationships:profile_update")
def update(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId, form: FormData) -> Response:
    def action(data: ProfileUpdate) -> Any:
        return profiles.update(session, scope, contact_id, data)

    return _submit(request, session, scope, contact_id, "profile", ProfileUpdate, form, action)


@router.post("/contacts/{contact_id}/relationship/stage", name="relationships:stage_change")
def stage(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId, form: FormData) -> Response:
    def action(data: StageChange) -> Any:
        return profiles.change_stage(session, scope, contact_id, data)

    return _submit(request, session, scope, contact_id, "stage", StageChange, form, action)


def _competitor_rows(form: dict[str, Any]) -> dict[str, Any]:
    """``competitor_<i>`` / ``preference_<i>`` pairs; rows without a competitor name are left out."""
    rows = []
    for i in range(MAX_COMPETITORS + BLANK_COMPETITOR_ROWS):
        name = form.get(f"competitor_{i}")
        if name is not None and str(name).strip():
            rows.append({"competitor": name, "preference": form.get(f"preference_{i}") or "none"})
    return {"items": rows}


@router.post("/contacts/{contact_id}/relationship/competitors", name="relationships:competitors")
def competitors(
    request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId, form: FormData
) -> Response:
    def action(data: CompetitorPreferencesWrite) -> Any:
        return profiles.set_competitor_preferences(session, scope, contact_id, data)

    data = _competitor_rows(form)
    return _submit(request, session, scope, contact_id, "competitors", CompetitorPreferencesWrite, data, action)


@router.post("/contacts/{contact_id}/relationship/owners", name="relationships:owners")
def owners(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId, form: FormData) -> Response:
    def action(data: RelationOwnersWrite) -> Any:
        return profiles.set_relation_owners(session, scope, contact_id, data)

    data = {"user_ids": form.get("user_ids") or []}
    return _submit(request, session, scope, contact_id, "owners", RelationOwnersWrite, data, action)


@router.post("/contacts/{contact_id}/relationship/departure", name="relationships:departure")
def departure(
    request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId, form: FormData
) -> Response:
    def action(data: Departure) -> Any:
        return profiles.mark_departed(session, scope, contact_id, data.on, data.role_changed)

    return _submit(request, session, scope, contact_id, "departure", Departure, form, action)


@router.get("/customers/{customer_id}/relationships/key", name="relationships:key_section")
def key_section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The customer's key-relationship score with its explanation and the contacts' scores (a section)."""
    key = profiles.customer_key(session, scope, customer_id)
    return render(request, "relationships/_key_section.html", {"key": key} | options())


@router.get("/relationships/rising-stars", name="relationships:rising_stars")
def rising_stars(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """The rising stars (明日之星) the caller sees: reasons, owner, plan and stage over time."""
    items, total = profiles.rising_stars(session, scope, page, 50)
    ctx = {"items": items, "total": total, "page": page, "page_size": 50}
    return render(request, "relationships/rising_stars.html", ctx | options())
