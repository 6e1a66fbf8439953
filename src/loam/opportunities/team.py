"""The opportunity team (铁三角 iron triangle: AR / SR / FR plus finance, bid, commercial, legal support):
``RecordMember`` rows of entity "opportunity" with read or read-write access and a team role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.opportunities import repository as repo
from loam.opportunities import service
from loam.opportunities.schemas import TeamMemberWrite
from loam.org import service as org_service

ENTITY = repo.ENTITY


def members(session: Session, scope: Scope, opportunity_id: int) -> list[RecordMember]:
    """The team of a visible opportunity (owner not included)."""
    service.get(session, scope, opportunity_id)
    return repo.members(session, opportunity_id)


def _manage(session: Session, scope: Scope, opportunity_id: int) -> int:
    opportunity = service.get(session, scope, opportunity_id)
    authz_service.require(scope, Permission.opportunities_update)
    service.require_owner(scope, opportunity)
    return opportunity.owner_id or 0


def upsert(
    session: Session,
    scope: Scope,
    opportunity_id: int,
    user_id: int,
    access: str,
    expires_at: datetime | None,
    role: str | None = None,
) -> RecordMember:
    """Add or update one member row (callers have authorised it)."""
    member = repo.member(session, opportunity_id, user_id)
    if member is None:
        member = RecordMember(entity=ENTITY, record_id=opportunity_id, user_id=user_id, added_by=scope.user_id)
        session.add(member)
    member.access = access
    member.expires_at = expires_at
    if role is not None:
        member.role = role
    session.flush()
    return member


def add(session: Session, scope: Scope, opportunity_id: int, data: TeamMemberWrite) -> RecordMember:
    """Add or update a team member with access, team role and optional expiry (owner-level action); audited."""
    owner_id = _manage(session, scope, opportunity_id)
    user = org_service.get_user(session, data.user_id)
    if user.id == owner_id:
        raise Invalid(_("The owner is already on the team."))
    if not user.is_active:
        raise Invalid(_("Choose an active user."))
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Invalid(_("The expiry date must be in the future."))
    member = upsert(session, scope, opportunity_id, user.id, data.access, data.expires_at, data.role)
    member.role = data.role
    changes = {"member": [None, user.display_name], "access": [None, data.access], "team_role": [None, data.role]}
    audit.record(session, scope, ENTITY, opportunity_id, "member_add", changes)
    return member


def remove(session: Session, scope: Scope, opportunity_id: int, user_id: int) -> None:
    """Take a user off the team (owner-level action); audited."""
    _manage(session, scope, opportunity_id)
    if not repo.delete_member(session, opportunity_id, user_id):
        raise NotFound(_("Team member not found."))
    user = org_service.get_user(session, user_id)
    audit.record(session, scope, ENTITY, opportunity_id, "member_remove", {"member": [user.display_name, None]})
