"""JSON endpoints for contracts, contract templates and contract settings (thin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from loam.auth.deps import ApiScope
from loam.contracts import documents, lifecycle, options, service
from loam.contracts.models import Contract
from loam.contracts.repository import SORTS
from loam.contracts.schemas import (
    ContractCreate,
    ContractDetail,
    ContractFilters,
    ContractRead,
    ContractSettings,
    ContractUpdate,
    DocumentRequest,
    MemberRead,
    MemberWrite,
    PrintRead,
    SubmitRequest,
    TemplateKind,
    TemplateRead,
    VoidRequest,
)
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page
from loam.products.schemas import ProductLineRead

contracts = APIRouter(route_class=TxRoute, prefix="/contracts", tags=["contracts"])
templates = APIRouter(route_class=TxRoute, prefix="/contract-templates", tags=["contracts"])
settings = APIRouter(route_class=TxRoute, prefix="/contract-settings", tags=["contracts"])
DOCX: dict[int | str, dict[str, Any]] = {200: {"content": {documents.DOCX_MEDIA: {}}}}


def _detail(session: Any, contract: Contract) -> ContractDetail:
    lines = service.line_items(session, contract)
    out = ContractDetail.model_validate(contract)
    out.lines = [ProductLineRead.model_validate(ln) for ln in lines]
    return out


@contracts.get("", response_model=Page[ContractRead])
def list_contracts(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[ContractFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[ContractRead]:
    """Contracts visible to the caller; ``expiring_within=N``: approved contracts ending in the next N days."""
    filters.custom = custom_filters(request, ContractFilters)
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[ContractRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@contracts.post("", response_model=ContractDetail, status_code=201)
def create_contract(session: DbSession, scope: ApiScope, data: ContractCreate) -> ContractDetail:
    """A draft with the next number; with ``opportunity_id`` the opportunity's data are the defaults."""
    return _detail(session, service.create(session, scope, data))


@contracts.get("/{contract_id}", response_model=ContractDetail)
def get_contract(session: DbSession, scope: ApiScope, contract_id: PathId) -> ContractDetail:
    return _detail(session, service.get(session, scope, contract_id))


@contracts.put("/{contract_id}", response_model=ContractDetail)
def update_contract(session: DbSession, scope: ApiScope, contract_id: PathId, data: ContractUpdate) -> ContractDetail:
    """Draft and rejected contracts: a full edit; approved: remarks only; in approval or void: 409."""
    return _detail(session, service.update(session, scope, contract_id, data))


@contracts.delete("/{contract_id}", status_code=204)
def delete_contract(session: DbSession, scope: ApiScope, contract_id: PathId) -> None:
    service.delete_(session, scope, contract_id)


@contracts.post("/{contract_id}/restore", response_model=ContractRead)
def restore_contract(session: DbSession, scope: ApiScope, contract_id: PathId) -> object:
    return service.restore(session, scope, contract_id)


@contracts.post("/{contract_id}/submit", response_model=ContractRead)
def submit_contract(
    session: DbSession, scope: ApiScope, contract_id: PathId, data: Annotated[SubmitRequest | None, Body()] = None
) -> object:
    """Submit for approval (draft or rejected); without an active approval flow it is approved at once."""
    return lifecycle.submit(session, scope, contract_id, data)


@contracts.post("/{contract_id}/void", response_model=ContractRead)
def void_contract(session: DbSession, scope: ApiScope, contract_id: PathId, data: VoidRequest) -> object:
    """Void a draft or approved contract with a reason (``contracts.void``)."""
    return lifecycle.void(session, scope, contract_id, data.reason)


@contracts.get("/{contract_id}/members", response_model=list[MemberRead])
def list_members(session: DbSession, scope: ApiScope, contract_id: PathId) -> object:
    return service.members(session, scope, contract_id)


@contracts.post("/{contract_id}/members", response_model=MemberRead, status_code=201)
def add_member(session: DbSession, scope: ApiScope, contract_id: PathId, data: MemberWrite) -> object:
    return service.add_member(session, scope, contract_id, data)


@contracts.delete("/{contract_id}/members/{user_id}", status_code=204)
def remove_member(session: DbSession, scope: ApiScope, contract_id: PathId, user_id: PathId) -> None:
    service.remove_member(session, scope, contract_id, user_id)


@contracts.post("/{contract_id}/documents", response_class=Response, responses=DOCX)
def generate_document(session: DbSession, scope: ApiScope, contract_id: PathId, data: DocumentRequest) -> Response:
    """The contract filled into a "contract" template (.docx); recorded in the print history."""
    content, name = documents.generate(session, scope, contract_id, data.template_id)
    return _docx(content, name)


@contracts.get("/{contract_id}/prints", response_model=list[PrintRead])
def list_prints(session: DbSession, scope: ApiScope, contract_id: PathId) -> object:
    """Who generated or printed the contract, when, with which template and format."""
    return documents.prints(session, scope, contract_id)


def _docx(content: bytes, name: str) -> Response:
    from urllib.parse import quote

    disposition = f"attachment; filename=\"contract.docx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=documents.DOCX_MEDIA, headers={"Content-Disposition": disposition})


@templates.get("", response_model=list[TemplateRead])
def list_templates(
    session: DbSession, scope: ApiScope, kind: TemplateKind | None = None, include_inactive: bool = False
) -> object:
    return documents.list_templates(session, scope, kind, include_inactive)


@templates.post("", response_model=TemplateRead, status_code=201)
def upload_template(
    session: DbSession,
    scope: ApiScope,
    kind: Annotated[TemplateKind, Form()],
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> object:
    """Upload a Word .docx template (``contracts.templates``); it must render with the sample data."""
    return documents.upload_template(session, scope, name, kind, file.filename or "", file.file, description)


@templates.get("/{template_id}", response_model=TemplateRead)
def get_template(session: DbSession, scope: ApiScope, template_id: PathId) -> object:
    return documents.get_template(session, scope, template_id)


@templates.get("/{template_id}/file", response_class=FileResponse, responses=DOCX)
def download_template(session: DbSession, scope: ApiScope, template_id: PathId) -> FileResponse:
    path, name = documents.template_file(session, scope, template_id)
    return FileResponse(path, filename=name, media_type=documents.DOCX_MEDIA)


@templates.post("/{template_id}/deactivate", response_model=TemplateRead)
def deactivate_template(session: DbSession, scope: ApiScope, template_id: PathId) -> object:
    return documents.set_template_active(session, scope, template_id, False)


@templates.post("/{template_id}/activate", response_model=TemplateRead)
def activate_template(session: DbSession, scope: ApiScope, template_id: PathId) -> object:
    return documents.set_template_active(session, scope, template_id, True)


@settings.get("", response_model=ContractSettings)
def get_settings(session: DbSession, scope: ApiScope) -> object:
    return options.read(session, scope)


@settings.put("", response_model=ContractSettings)
def put_settings(session: DbSession, scope: ApiScope, data: ContractSettings) -> object:
    """Numbering pattern, expiry-reminder window, contract types, signing entities (``contracts.templates``)."""
    return options.save(session, scope, data)


router = APIRouter()
router.include_router(contracts)
router.include_router(templates)
router.include_router(settings)
