"""JSON endpoints of key relationships (thin): a contact's relationship profile and score, its stage changes,
competitor preferences, relationship owners and departure; a customer's key-relationship score; rising stars."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from loam.auth.deps import ApiScope
from loam.authz.scope import Scope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page
from loam.relationships import profiles
from loam.relationships.schemas_profiles import (
    CompetitorPreference,
    CompetitorPreferencesWrite,
    CustomerKeyRead,
    Departure,
    DepartureRead,
    KeyContactRow,
    PointRead,
    ProfileUpdate,
    RelationOwnersWrite,
    RelationshipRead,
    RisingStarRead,
    ScoreRead,
    StageChange,
    StageChangeRead,
    StagePoint,
)
from loam.relationships.scores import LayerScore

router = APIRouter(route_class=TxRoute, tags=["relationships"])


def score_read(score: LayerScore) -> ScoreRead:
    """A score as the API shows it: each point with its text in the reader's language."""
    points = [PointRead(points=p.points, text=p.text(), msgid=p.msgid, params=p.params) for p in score.points]
    return ScoreRead(score=score.score, grade=score.grade, points=points, details=score.details)


def relationship_read(card: profiles.Card) -> RelationshipRead:
    p, c = card.profile, card.contact
    saved = profiles.is_saved(p)
    return RelationshipRead(
        contact_id=c.id,
        saved=saved,
        stage=p.stage,
        stage_name=next((s["name"] for s in card.stages if s["n"] == p.stage), ""),
        support=p.support,
        coach=p.coach,
        influence=p.influence,
        decision_role=p.decision_role,
        chain=p.chain,
        orientation=p.orientation,
        expected_days=p.expected_days,
        expected_days_effective=card.expected_days,
        personality=c.personality,
        preferences=c.preferences,
        rising_star=p.rising_star,
        rising_reasons=list(p.rising_reasons or []),
        rising_owner_id=p.rising_owner_id,
        rising_plan=p.rising_plan,
        departed_on=p.departed_on,
        competitors=[CompetitorPreference.model_validate(x) for x in card.competitors],
        owner_ids=card.owner_ids,
        updated_at=p.updated_at if saved else None,
        updated_by=p.updated_by,
        version=p.version,
        score=score_read(card.score),
    )


def _card(session: Session, scope: Scope, contact_id: int) -> RelationshipRead:
    return relationship_read(profiles.card(session, scope, contact_id))


@router.get("/contacts/{contact_id}/relationship", response_model=RelationshipRead)
def get_relationship(session: DbSession, scope: ApiScope, contact_id: PathId) -> RelationshipRead:
    """The contact's relationship profile (the default one while none is stored) and key-relationship score."""
    return _card(session, scope, contact_id)


@router.patch("/contacts/{contact_id}/relationship", response_model=RelationshipRead)
def update_relationship(
    session: DbSession, scope: ApiScope, contact_id: PathId, data: ProfileUpdate
) -> RelationshipRead:
    """Change only the fields sent; ``version`` is required once the profile exists (409 when stale)."""
    profiles.update(session, scope, contact_id, data)
    return _card(session, scope, contact_id)


@router.post("/contacts/{contact_id}/relationship/stage", response_model=RelationshipRead)
def change_stage(session: DbSession, scope: ApiScope, contact_id: PathId, data: StageChange) -> RelationshipRead:
    """Move the relationship to another stage (evidence required when moving up)."""
    profiles.change_stage(session, scope, contact_id, data)
    return _card(session, scope, contact_id)


@router.get("/contacts/{contact_id}/relationship/history", response_model=list[StageChangeRead])
def stage_history(session: DbSession, scope: ApiScope, contact_id: PathId) -> object:
    """The stage changes, newest first, with who made them, when and the evidence."""
    return profiles.history(session, scope, contact_id)


@router.put("/contacts/{contact_id}/relationship/competitors", response_model=RelationshipRead)
def set_competitors(
    session: DbSession, scope: ApiScope, contact_id: PathId, data: CompetitorPreferencesWrite
) -> RelationshipRead:
    """Replace the contact's preference per competitor (strong / leaning / none)."""
    profiles.set_competitor_preferences(session, scope, contact_id, data)
    return _card(session, scope, contact_id)


@router.put("/contacts/{contact_id}/relationship/owners", response_model=RelationshipRead)
def set_owners(session: DbSession, scope: ApiScope, contact_id: PathId, data: RelationOwnersWrite) -> RelationshipRead:
    """Replace the people on our side who own the relationship."""
    profiles.set_relation_owners(session, scope, contact_id, data)
    return _card(session, scope, contact_id)


@router.post("/contacts/{contact_id}/relationship/departure", response_model=DepartureRead)
def departure(session: DbSession, scope: ApiScope, contact_id: PathId, data: Departure) -> DepartureRead:
    """Record a departure (or a role change) and run the succession check; ``notified`` lists who was alerted."""
    notified = profiles.mark_departed(session, scope, contact_id, data.on, data.role_changed)
    return DepartureRead(notified=notified, relationship=_card(session, scope, contact_id))


@router.get("/customers/{customer_id}/relationship/key", response_model=CustomerKeyRead)
def customer_key(session: DbSession, scope: ApiScope, customer_id: PathId) -> CustomerKeyRead:
    """The customer's key-relationship score (explained) and its contacts' scores, best first."""
    key = profiles.customer_key(session, scope, customer_id)
    rows = [
        KeyContactRow(
            id=r.contact.id,
            name=r.contact.name,
            dept_name=r.contact.dept_name,
            title=r.contact.title,
            level=r.contact.level,
            stage=r.inputs.stage,
            support=r.inputs.support,
            coach=r.inputs.coach,
            influence=r.inputs.influence,
            score=r.score.score,
            last_touch=r.score.details.get("last_touch"),
            departed_on=r.inputs.departed_on,
        )
        for r in key.rows
    ]
    return CustomerKeyRead(customer_id=customer_id, score=score_read(key.score), contacts=rows)


@router.get("/rising-stars", response_model=Page[RisingStarRead])
def rising_stars(
    session: DbSession,
    scope: ApiScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[RisingStarRead]:
    """The rising stars (明日之星) among the contacts the caller sees, with their stage over time."""
    items, total = profiles.rising_stars(session, scope, page, page_size)
    rows = [
        RisingStarRead(
            id=s.contact.id,
            name=s.contact.name,
            customer_id=s.contact.customer_id,
            customer_name=s.customer_name,
            dept_name=s.contact.dept_name,
            title=s.contact.title,
            stage=s.profile.stage,
            rising_reasons=list(s.profile.rising_reasons or []),
            rising_owner_id=s.profile.rising_owner_id,
            rising_owner_name=s.owner_name,
            rising_plan=s.profile.rising_plan,
            stages=[StagePoint(stage=n, on=d) for n, d in s.stages],
        )
        for s in items
    ]
    return Page[RisingStarRead](items=rows, total=total, page=page, page_size=page_size)
