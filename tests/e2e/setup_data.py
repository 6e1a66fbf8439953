"""What the browser tests need beyond the demo org: one public pool covering the account department."""

from __future__ import annotations

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.demo.org import DemoOrg
from loam.pools import service as pool_service
from loam.pools.schemas import PoolCreate, PoolMemberWrite


def seed(session: Session, org: DemoOrg) -> None:
    pool_service.create_pool(
        session,
        Scope.system(),
        PoolCreate(
            name="广西公海",
            no_followup_days=30,
            warn_days=5,
            members=[PoolMemberWrite(department_id=org.account.id, include_children=True)],
        ),
    )
