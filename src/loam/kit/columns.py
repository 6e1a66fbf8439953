"""The spreadsheet columns of each importable / exportable entity: one catalog for imports and exports.

It reads the domains' option lists from their ``schemas`` modules (the one thing in ``kit`` that knows
the domains: a column catalog is a view over several of them).

An export writes these columns with their label in the reader's language; an import recognises a
header by the key, the English label, the Chinese label or an alias (including the column names of
WukongCRM's own import templates, so its users can move over). So an export re-imports unchanged.

Kinds say how a cell is read and written:
``text`` · ``phone`` · ``email`` · ``choice`` (key, English or Chinese label) · ``date`` · ``datetime`` ·
``bool`` (是/否, yes/no, 1/0) · ``user`` (login or email) · ``department`` (path of names, e.g.
``广西区/广西电信系统部``) · ``customer`` (customer name, normalised) · ``id`` (the record's own id:
an export's ID column lets a re-import update the same records) · ``number`` (amounts: a number cell in xlsx,
plain digits in csv) · ``lookup`` (an id shown by a name the exporting entity looks up, e.g. a pipeline stage).

Opportunities, contracts, receivable plans, receipts and invoices are exported only (``importable=False``
throughout): they are created through their own rules (pipelines, stage gates, numbering, approvals, plan totals,
allocations), not from a spreadsheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loam.activities import schemas as followup_schemas
from loam.contacts import schemas as contact_schemas
from loam.customers import schemas as customer_schemas
from loam.kit.choices import GRADES, INDUSTRIES, SOURCES
from loam.kit.i18n import N_, translations
from loam.leads import schemas as lead_schemas

try:  # the opportunity-to-cash domains (issue 4)
    from loam.contracts import schemas as contract_schemas
    from loam.opportunities import schemas as opportunity_schemas
except ModuleNotFoundError:  # pragma: no cover - those domains are not installed
    contract_schemas = opportunity_schemas = None  # type: ignore[assignment]
try:
    from loam.receivables import schemas as receivable_schemas
except ModuleNotFoundError:  # pragma: no cover - that domain is not installed
    receivable_schemas = None  # type: ignore[assignment]

# The option lists are the domains' own (their schemas), so a new option is importable and exportable at once.
CUSTOMER_LEVELS, CUSTOMER_TIERS, DEAL_STATUSES = (
    customer_schemas.LEVELS,
    customer_schemas.TIERS,
    customer_schemas.DEAL_STATUSES,
)
CONTACT_LEVELS = contact_schemas.LEVELS
FOLLOWUP_KINDS = followup_schemas.KINDS
LEAD_STATUSES = lead_schemas.STATUSES

# Extra spellings seen in real files (WukongCRM's levels, A/B/C grades written out).
CHOICE_ALIASES = {
    "key": ("重要客户", "A（重点客户）", "vip"),
    "normal": ("B（普通客户）", "一般客户"),
    "minor": ("C（非优先客户）", "次要客户"),
    "A": ("A（热）", "A（热门）"),
    "B": ("B（温）",),
    "C": ("C（冷）",),
    "phone": ("电话营销", "来电"),
    "exhibition": ("促销活动", "展会营销"),
    "referral": ("客户介绍", "介绍", "老客户介绍"),
    "energy": ("能源电力", "电力", "能源"),
    "transport": ("交通", "交通物流"),
    "healthcare": ("医疗",),
    "telecom": ("运营商", "通信"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English, marked for translation
    zh: str  # Chinese label (fixed, so header matching never depends on the reader's language)
    kind: str = "text"
    max_len: int | None = None
    required: bool = False
    choices: dict[str, str] | None = None
    aliases: tuple[str, ...] = ()
    importable: bool = True
    exportable: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def _c(key: str, label: str, zh: str, kind: str = "text", max_len: int | None = None, **kw: object) -> Column:
    return Column(key, label, zh, kind, max_len, **kw)  # type: ignore[arg-type]


ID = _c("id", N_("ID"), "编号", "id", aliases=("id", "编号", "ID号", "记录ID"))
OWNER = _c("owner", N_("Owner"), "负责人", "user", aliases=("负责人账号", "负责人用户名", "owner login", "所属员工"))
DEPARTMENT = _c("department", N_("Department"), "所属部门", "department", aliases=("部门路径", "owner department"))
CREATED = _c("created_at", N_("Created"), "创建时间", "datetime", aliases=("created date", "创建日期", "录入时间"))
PHONE = _c(
    "phone", N_("Phone"), "电话", "phone", 40, aliases=("手机", "手机号", "手机号码", "联系电话", "mobile", "tel")
)
EMAIL = _c("email", N_("Email"), "邮箱", "email", 254, aliases=("电子邮箱", "邮件", "e-mail", "mail"))
PROVINCE = _c("province", N_("Province"), "省份", max_len=40, aliases=("省", "所在省份", "state"))
CITY = _c("city", N_("City"), "城市", max_len=40, aliases=("市", "所在城市"))
ADDRESS = _c("address", N_("Address"), "详细地址", max_len=300, aliases=("地址", "客户地址", "区域"))
REMARK = _c("remark", N_("Remarks"), "备注", max_len=20000, aliases=("备注信息", "notes", "remark"))
NEXT = _c("next_contact_at", N_("Next contact"), "下次联系时间", "datetime", aliases=("下次跟进时间",))
INDUSTRY = _c("industry", N_("Industry"), "客户行业", "choice", choices=INDUSTRIES, aliases=("行业", "所属行业"))
UPDATED = _c("updated_at", N_("Updated"), "更新时间", "datetime", importable=False)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "customer": (
        ID,
        _c(
            "name",
            N_("Customer name"),
            "客户名称",
            max_len=200,
            required=True,
            aliases=("名称", "公司名称", "企业名称", "单位名称", "客户", "company", "company name", "account name"),
        ),
        INDUSTRY,
        _c("tier", N_("Tier"), "客户分层", "choice", choices=CUSTOMER_TIERS, aliases=("分层", "客户分类")),
        _c("level", N_("Level"), "客户级别", "choice", choices=CUSTOMER_LEVELS, aliases=("级别", "客户等级", "等级")),
        _c("source", N_("Source"), "客户来源", "choice", choices=SOURCES, aliases=("来源",)),
        PHONE,
        EMAIL,
        _c("website", N_("Website"), "网址", max_len=200, aliases=("网站", "官网", "url")),
        PROVINCE,
        CITY,
        ADDRESS,
        REMARK,
        NEXT,
        _c("deal_status", N_("Deal status"), "成交状态", "choice", choices=DEAL_STATUSES, importable=False),
        OWNER,
        DEPARTMENT,
        CREATED,
        UPDATED,
    ),
    "lead": (
        ID,
        _c(
            "name", N_("Name"), "姓名", max_len=100, required=True, aliases=("线索名称", "联系人", "联系人姓名", "name")
        ),
        _c("company", N_("Company"), "公司名称", max_len=200, aliases=("客户名称", "单位名称", "企业名称", "公司")),
        _c("title", N_("Job title"), "职务", max_len=100, aliases=("职位", "title")),
        PHONE,
        EMAIL,
        _c("source", N_("Source"), "线索来源", "choice", choices=SOURCES, aliases=("来源", "客户来源")),
        _c("grade", N_("Grade"), "线索等级", "choice", choices=GRADES, aliases=("等级", "级别")),
        INDUSTRY,
        PROVINCE,
        CITY,
        ADDRESS,
        REMARK,
        NEXT,
        _c("status", N_("Status"), "状态", "choice", choices=LEAD_STATUSES, importable=False),
        OWNER,
        DEPARTMENT,
        CREATED,
        UPDATED,
    ),
    "contact": (
        ID,
        _c("customer", N_("Customer"), "客户名称", "customer", required=True, aliases=("客户", "所属客户", "公司名称")),
        _c("name", N_("Name"), "姓名", max_len=100, required=True, aliases=("联系人姓名", "联系人", "name")),
        _c("dept_name", N_("Department at the customer"), "部门", max_len=100, aliases=("所在部门", "客户部门")),
        _c("title", N_("Job title"), "职务", max_len=100, aliases=("职位", "title")),
        _c("level", N_("Level"), "层级", "choice", choices=CONTACT_LEVELS, aliases=("级别", "联系人级别")),
        PHONE,
        EMAIL,
        _c("birthday", N_("Birthday"), "生日", "date", aliases=("出生日期",)),
        _c(
            "is_decision_maker",
            N_("Decision maker"),
            "关键决策人",
            "bool",
            aliases=("是否关键决策人", "决策人", "decision maker"),
        ),
        _c("personality", N_("Personality"), "性格", max_len=500, aliases=("性格特点",)),
        _c("preferences", N_("Preferences"), "爱好", max_len=500, aliases=("兴趣爱好", "偏好")),
        REMARK,
        _c("owner", N_("Owner"), "负责人", "user", importable=False),  # a contact follows its customer's owner
        CREATED,
        UPDATED,
    ),
    "followup": (
        ID,
        _c("customer", N_("Customer"), "客户名称", "customer", required=True, aliases=("客户", "所属客户")),
        _c(
            "kind",
            N_("Type"),
            "跟进方式",
            "choice",
            required=True,
            choices=FOLLOWUP_KINDS,
            aliases=("跟进类型", "类型"),
        ),
        _c("occurred_at", N_("Date"), "跟进时间", "datetime", aliases=("时间", "日期", "跟进日期")),
        _c("content", N_("Content"), "跟进内容", max_len=20000, required=True, aliases=("内容", "记录内容")),
        _c("next_step", N_("Next step"), "下一步", max_len=500, aliases=("下一步计划",)),
        NEXT,
        _c("author", N_("Recorded by"), "记录人", "user", importable=False),
        CREATED,
    ),
}

ENTITY_LABELS = {
    "customer": N_("Customers"),
    "lead": N_("Leads"),
    "contact": N_("Contacts"),
    "followup": N_("Follow-ups"),
}


def _export_only(*columns: Column) -> tuple[Column, ...]:
    from dataclasses import replace

    return tuple(replace(c, importable=False) for c in columns)


if opportunity_schemas is not None and contract_schemas is not None:
    CUSTOMER_REF = _c("customer", N_("Customer"), "客户名称", "customer")
    AMOUNT = _c("amount", N_("Amount"), "金额", "number")
    CURRENCY = _c("currency", N_("Currency"), "币种", max_len=3)
    COLUMNS["opportunity"] = _export_only(
        ID,
        _c("name", N_("Opportunity"), "商机名称", max_len=200),
        CUSTOMER_REF,
        _c("pipeline", N_("Pipeline"), "销售流程", "lookup"),
        _c("stage", N_("Stage"), "阶段", "lookup"),
        _c("status", N_("Status"), "状态", "choice", choices=opportunity_schemas.STATUSES),
        AMOUNT,
        CURRENCY,
        _c("expected_close", N_("Expected close"), "预计成交日期", "date"),
        _c("probability", N_("Win probability %"), "赢率%", "number"),
        _c("source", N_("Source"), "商机来源", "choice", choices=SOURCES),
        _c("gate_status", N_("Project approval"), "立项审批", "choice", choices=opportunity_schemas.GATE_STATUSES),
        REMARK,
        OWNER,
        DEPARTMENT,
        CREATED,
        UPDATED,
    )
    COLUMNS["contract"] = _export_only(
        ID,
        _c("number", N_("Contract number"), "合同编号", max_len=40),
        _c("name", N_("Contract name"), "合同名称", max_len=200),
        _c("type", N_("Type"), "合同类型", "choice", choices=contract_schemas.DEFAULT_TYPES),
        CUSTOMER_REF,
        AMOUNT,
        CURRENCY,
        _c("status", N_("Status"), "状态", "choice", choices=contract_schemas.STATUSES),
        _c("signed_on", N_("Signed on"), "签约日期", "date"),
        _c("start_on", N_("Starts on"), "开始日期", "date"),
        _c("end_on", N_("Ends on"), "结束日期", "date"),
        REMARK,
        OWNER,
        DEPARTMENT,
        CREATED,
        UPDATED,
    )
    ENTITY_LABELS |= {"opportunity": N_("Opportunities"), "contract": N_("Contracts")}

if receivable_schemas is not None and "contract" in COLUMNS:
    # A plan period, receipt or invoice shows its contract's number, name and customer; its owner and department
    # are its contract's. Amounts are ``number`` cells; statuses are labels.
    CONTRACT_NUMBER = _c("contract_number", N_("Contract number"), "合同编号", max_len=40)
    CONTRACT_NAME = _c("contract_name", N_("Contract name"), "合同名称", max_len=200)
    COLUMNS["receivable_plan"] = _export_only(
        ID,
        CONTRACT_NUMBER,
        CONTRACT_NAME,
        CUSTOMER_REF,
        _c("number", N_("Period no."), "期次", "number"),
        _c("milestone", N_("Milestone"), "节点", "choice", choices=receivable_schemas.MILESTONES),
        _c("due_on", N_("Due date"), "到期日", "date"),
        AMOUNT,
        _c("received", N_("Received"), "已回款", "number"),
        _c("outstanding", N_("Outstanding"), "未回款", "number"),
        CURRENCY,
        _c("status", N_("Status"), "状态", "choice", choices=receivable_schemas.PLAN_STATUSES),
        _c("site", N_("Site"), "站点", max_len=100),
        REMARK,
        OWNER,
        DEPARTMENT,
        CREATED,
        UPDATED,
    )
    COLUMNS["receivable"] = _export_only(
        ID,
        _c("received_on", N_("Received on"), "回款日期", "date"),
        CONTRACT_NUMBER,
        CONTRACT_NAME,
        CUSTOMER_REF,
        AMOUNT,
        _c("allocated", N_("Allocated"), "已分配", "number"),
        CURRENCY,
        _c("method", N_("Payment method"), "付款方式", "choice", choices=receivable_schemas.METHODS),
        _c("payer", N_("Payer"), "付款方", max_len=200),
        _c("status", N_("Approval status"), "审批状态", "choice", choices=receivable_schemas.RECEIPT_STATUSES),
        _c("approved_at", N_("Approved at"), "审批通过时间", "datetime"),
        REMARK,
        OWNER,
        DEPARTMENT,
        _c("author", N_("Recorded by"), "记录人", "user"),
        CREATED,
        UPDATED,
    )
    COLUMNS["invoice"] = _export_only(
        ID,
        _c("title", N_("Invoice title"), "发票抬头", max_len=200),
        _c("tax_number", N_("Tax number"), "税号", max_len=20),
        _c("kind", N_("Invoice type"), "发票类型", "choice", choices=receivable_schemas.INVOICE_KINDS),
        CONTRACT_NUMBER,
        CONTRACT_NAME,
        CUSTOMER_REF,
        AMOUNT,
        CURRENCY,
        _c("status", N_("Status"), "状态", "choice", choices=receivable_schemas.INVOICE_STATUSES),
        _c("issued_on", N_("Issued on"), "开票日期", "date"),
        _c("invoice_number", N_("Invoice number"), "发票号码", max_len=40),
        REMARK,
        OWNER,
        DEPARTMENT,
        _c("author", N_("Requested by"), "申请人", "user"),
        CREATED,
        UPDATED,
    )
    ENTITY_LABELS |= {
        "receivable_plan": N_("Receivable plans"),
        "receivable": N_("Receipts"),
        "invoice": N_("Invoices"),
    }


def header_key(text: object) -> str:
    """A header cell folded for matching: full-width → half-width, case, spaces, ``*`` and punctuation removed."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s*_\-:：()（）\[\]【】/]+", "", folded)


def columns(entity: str) -> tuple[Column, ...]:
    return COLUMNS[entity]


def choice_names(key: str, english: str) -> tuple[str, ...]:
    """Every spelling a choice cell may use: the key, its English and Chinese labels and known aliases."""
    return (key, english, translations("zh_CN").gettext(english), *CHOICE_ALIASES.get(key, ()))


def header_names(column: Column) -> tuple[str, ...]:
    """Every header that maps to ``column``: key, English and Chinese labels, the catalog's Chinese, aliases."""
    return (column.key, column.label, column.zh, translations("zh_CN").gettext(column.label), *column.aliases)
