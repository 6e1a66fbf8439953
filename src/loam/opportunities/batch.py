"""Batch actions on opportunities (transfer owner, change stage, delete): each record goes through the same
service function as a single action, in its own savepoint, and is reported — never silently skipped."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit.i18n import gettext as _
from loam.opportunities import service
from loam.opportunities.schemas import BatchItem, BatchRequest, BatchResult, TransferRequest


def _one(session: Session, scope: Scope, req: BatchRequest, opportunity_id: int) -> None:
    if req.action == "transfer":
        assert req.owner_id is not None
        service.transfer(session, scope, opportunity_id, TransferRequest(owner_id=req.owner_id))
    elif req.action == "move":
        assert req.stage_id is not None
        service.move_to_stage(
            session, scope, opportunity_id, req.stage_id, lost_reason_id=req.lost_reason_id, note=req.note
        )
    else:
        service.delete_(session, scope, opportunity_id)


def run(session: Session, scope: Scope, req: BatchRequest) -> BatchResult:
    """Apply one action to each id (duplicates once). A record that is not visible, that the caller may not change
    or that a rule refuses (e.g. a stage of another pipeline, a missing reason) is reported with the message and
    status code, and nothing of it is written; the others are applied."""
    results: list[BatchItem] = []
    for opportunity_id in dict.fromkeys(req.ids):
        try:
            with session.begin_nested():
                _one(session, scope, req, opportunity_id)
            results.append(BatchItem(id=opportunity_id, ok=True))
        except LoamError as exc:
            results.append(BatchItem(id=opportunity_id, ok=False, error=exc.message, status=exc.status_code))
        except StaleDataError:
            message = _("Someone else changed this opportunity. Reload and try again.")
            results.append(BatchItem(id=opportunity_id, ok=False, error=message, status=409))
    done = sum(1 for r in results if r.ok)
    return BatchResult(results=results, done=done, failed=len(results) - done)
