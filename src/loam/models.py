"""Import every domain's models so that metadata (Alembic, tests) sees all tables."""

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
