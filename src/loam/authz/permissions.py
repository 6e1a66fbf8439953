"""Every permission and data-scoped module Loam knows, and the built-in roles' defaults."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from loam.kit.i18n import N_


class Module(StrEnum):
    """Modules whose records carry an owner and so a data scope."""

    leads = "leads"
    customers = "customers"
    contacts = "contacts"
    followups = "followups"
    opportunities = "opportunities"
    contracts = "contracts"
    receivables = "receivables"
    oa = "oa"


MODULE_LABELS = {
    Module.leads: N_("Leads"),
    Module.customers: N_("Customers"),
    Module.contacts: N_("Contacts"),
    Module.followups: N_("Follow-ups"),
    Module.opportunities: N_("Opportunities"),
    Module.contracts: N_("Contracts"),
    Module.receivables: N_("Receivables"),
    Module.oa: N_("OA requests"),
}


class DataScope(IntEnum):
    """Data scopes, narrowest first; the widest of a user's roles wins."""

    own = 1  # 本人
    own_and_subordinates = 2  # 本人及下属
    department = 3  # 本部门
    department_and_below = 4  # 本部门及下属
    all = 5  # 全部


DATA_SCOPE_LABELS = {
    DataScope.own: N_("Own"),
    DataScope.own_and_subordinates: N_("Own and subordinates"),
    DataScope.department: N_("My department"),
    DataScope.department_and_below: N_("My department and below"),
    DataScope.all: N_("All"),
}


class Permission(StrEnum):
    leads_view = "leads.view"
    leads_create = "leads.create"
    leads_update = "leads.update"
    leads_delete = "leads.delete"
    leads_transfer = "leads.transfer"
    leads_convert = "leads.convert"
    customers_view = "customers.view"
    customers_create = "customers.create"
    customers_update = "customers.update"
    customers_delete = "customers.delete"
    customers_transfer = "customers.transfer"
    customers_lock = "customers.lock"
    customers_team = "customers.team"
    contacts_view = "contacts.view"
    contacts_create = "contacts.create"
    contacts_update = "contacts.update"
    contacts_delete = "contacts.delete"
    followups_view = "followups.view"
    followups_create = "followups.create"
    followups_update = "followups.update"
    followups_delete = "followups.delete"
    pools_view = "pools.view"
    pools_claim = "pools.claim"
    pools_release = "pools.release"
    pools_distribute = "pools.distribute"
    pools_manage = "pools.manage"
    org_manage = "org.manage"
    customfields_manage = "customfields.manage"
    recycle_purge = "recycle.purge"
    audit_view = "audit.view"
    data_import = "data.import"
    data_export = "data.export"
    records_merge = "records.merge"
    products_view = "products.view"
    products_manage = "products.manage"
    opportunities_view = "opportunities.view"
    opportunities_create = "opportunities.create"
    opportunities_update = "opportunities.update"
    opportunities_delete = "opportunities.delete"
    opportunities_transfer = "opportunities.transfer"
    pipelines_manage = "pipelines.manage"
    approvals_manage = "approvals.manage"
    contracts_view = "contracts.view"
    contracts_create = "contracts.create"
    contracts_update = "contracts.update"
    contracts_delete = "contracts.delete"
    contracts_void = "contracts.void"
    contracts_templates = "contracts.templates"
    receivables_view = "receivables.view"
    receivables_create = "receivables.create"
    receivables_update = "receivables.update"
    receivables_delete = "receivables.delete"
    reports_view = "reports.view"
    targets_manage = "targets.manage"
    relationships_view = "relationships.view"
    relationships_update = "relationships.update"
    relationships_manage = "relationships.manage"
    oa_request = "oa.request"
    oa_manage = "oa.manage"


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.leads_view: N_("View leads"),
    Permission.leads_create: N_("Create leads"),
    Permission.leads_update: N_("Edit leads"),
    Permission.leads_delete: N_("Delete leads"),
    Permission.leads_transfer: N_("Transfer leads"),
    Permission.leads_convert: N_("Convert leads"),
    Permission.customers_view: N_("View customers"),
    Permission.customers_create: N_("Create customers"),
    Permission.customers_update: N_("Edit customers"),
    Permission.customers_delete: N_("Delete customers"),
    Permission.customers_transfer: N_("Transfer customers"),
    Permission.customers_lock: N_("Lock and unlock customers"),
    Permission.customers_team: N_("Manage customer team members"),
    Permission.contacts_view: N_("View contacts"),
    Permission.contacts_create: N_("Create contacts"),
    Permission.contacts_update: N_("Edit contacts"),
    Permission.contacts_delete: N_("Delete contacts"),
    Permission.followups_view: N_("View follow-ups"),
    Permission.followups_create: N_("Record follow-ups"),
    Permission.followups_update: N_("Edit follow-ups"),
    Permission.followups_delete: N_("Delete follow-ups"),
    Permission.pools_view: N_("View public pools"),
    Permission.pools_claim: N_("Claim from public pools"),
    Permission.pools_release: N_("Release customers to a pool"),
    Permission.pools_distribute: N_("Distribute pool customers"),
    Permission.pools_manage: N_("Manage pools and their rules"),
    Permission.org_manage: N_("Manage departments, users and roles"),
    Permission.customfields_manage: N_("Manage custom fields"),
    Permission.recycle_purge: N_("Purge the recycle bin"),
    Permission.audit_view: N_("View audit history"),
    Permission.data_import: N_("Import records from Excel/CSV"),
    Permission.data_export: N_("Export lists to Excel/CSV"),
    Permission.records_merge: N_("Find and merge duplicate records"),
    Permission.products_view: N_("View products"),
    Permission.products_manage: N_("Manage the product catalogue"),
    Permission.opportunities_view: N_("View opportunities"),
    Permission.opportunities_create: N_("Create opportunities"),
    Permission.opportunities_update: N_("Edit opportunities"),
    Permission.opportunities_delete: N_("Delete opportunities"),
    Permission.opportunities_transfer: N_("Transfer opportunities"),
    Permission.pipelines_manage: N_("Manage pipelines, stages and lost reasons"),
    Permission.approvals_manage: N_("Manage approval flows"),
    Permission.contracts_view: N_("View contracts"),
    Permission.contracts_create: N_("Create contracts"),
    Permission.contracts_update: N_("Edit contracts"),
    Permission.contracts_delete: N_("Delete contracts"),
    Permission.contracts_void: N_("Void contracts"),
    Permission.contracts_templates: N_("Manage contract and receipt templates"),
    Permission.receivables_view: N_("View receivables, plans and invoices"),
    Permission.receivables_create: N_("Record receivable plans, receipts and invoices"),
    Permission.receivables_update: N_("Edit receivable plans, receipts and invoices"),
    Permission.receivables_delete: N_("Delete receivable plans, receipts and invoices"),
    Permission.reports_view: N_("View reports"),
    Permission.targets_manage: N_("Manage sales targets"),
    Permission.relationships_view: N_("View relationship profiles, power maps and intelligence"),
    Permission.relationships_update: N_("Edit relationship profiles, power maps, intelligence and pairings"),
    Permission.relationships_manage: N_("Manage the relationship method: weights, templates, scenarios"),
    Permission.oa_request: N_("File OA requests (leave, trips, expenses…)"),
    Permission.oa_manage: N_("Manage OA request types"),
}

_SALES = {
    p
    for p in Permission
    if p.value.split(".")[0] in {"leads", "customers", "contacts", "followups", "opportunities"}
    and p not in {Permission.customers_delete, Permission.leads_delete, Permission.opportunities_delete}
} | {
    Permission.pools_view,
    Permission.pools_claim,
    Permission.pools_release,
    Permission.audit_view,
    Permission.data_import,
    Permission.products_view,
    Permission.contracts_view,
    Permission.contracts_create,
    Permission.contracts_update,
    Permission.receivables_view,
    Permission.receivables_create,
    Permission.reports_view,
    Permission.relationships_view,
    Permission.relationships_update,
    Permission.oa_request,
}

# code: (name_zh, name_en, permissions, data scope for every module)
BUILTIN_ROLES: dict[str, tuple[str, str, set[Permission], DataScope]] = {
    "admin": ("系统管理员", "Administrator", set(Permission), DataScope.all),
    "director": (
        "销售总监",
        "Sales director",
        set(Permission)
        - {
            Permission.org_manage,
            Permission.customfields_manage,
            Permission.recycle_purge,
            Permission.approvals_manage,
            Permission.oa_manage,
        },
        DataScope.department_and_below,
    ),
    "ar": ("客户经理 (AR)", "Account manager (AR)", _SALES, DataScope.own),
    "sr": ("方案经理 (SR)", "Solution manager (SR)", _SALES, DataScope.own),
    "fr": ("交付经理 (FR)", "Fulfilment manager (FR)", _SALES, DataScope.own),
    "finance": (
        "市场财经/回款经理",
        "Finance / collection manager",
        {
            Permission.customers_view,
            Permission.contacts_view,
            Permission.followups_view,
            Permission.followups_create,
            Permission.products_view,
            Permission.opportunities_view,
            Permission.contracts_view,
            Permission.receivables_view,
            Permission.receivables_create,
            Permission.receivables_update,
            Permission.receivables_delete,
            Permission.reports_view,
            Permission.relationships_view,
            Permission.relationships_update,
            Permission.data_export,
            Permission.oa_request,
        },
        DataScope.own,
    ),
}
