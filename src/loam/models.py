"""Import every domain's models so that metadata (Alembic, tests) sees all tables."""

import importlib

from loam.activities.models import FollowUp
from loam.auth.models import ApiToken, LoginAttempt, UserSession
from loam.authz.models import RecordMember
from loam.bgjobs.models import BackgroundJob
from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.imports.models import ImportIssue, ImportMapping
from loam.kit.models import AuditLog, CustomField
from loam.leads.models import Lead
from loam.merge.models import Merge, MergedRecord
from loam.notifications.models import Notification
from loam.org.models import Department, Role, RoleDataScope, RolePermission, User
from loam.pools.models import Pool, PoolEvent, PoolMember

__all__ = [
    "ApiToken",
    "AuditLog",
    "BackgroundJob",
    "Contact",
    "CustomField",
    "Customer",
    "Department",
    "FollowUp",
    "ImportIssue",
    "ImportMapping",
    "Lead",
    "LoginAttempt",
    "Merge",
    "MergedRecord",
    "Notification",
    "Pool",
    "PoolEvent",
    "PoolMember",
    "RecordMember",
    "Role",
    "RoleDataScope",
    "RolePermission",
    "User",
    "UserSession",
]

# Opportunity-to-cash domains (issue 4): imported by name, so that each lands with its own package.
for _domain in (
    "savedviews",
    "products",
    "opportunities",
    "approvals",
    "contracts",
    "receivables",
    "reports",
    "relationships",
    "oa",
):
    try:
        importlib.import_module(f"loam.{_domain}.models")
    except ModuleNotFoundError as _exc:
        if _exc.name not in (f"loam.{_domain}", f"loam.{_domain}.models"):
            raise
