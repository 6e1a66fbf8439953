"""`loam products`: list the catalogue and add a product from the command line (thin)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import typer

from loam.errors import LoamError

NAME = "products"
app = typer.Typer(help="The product catalogue", no_args_is_help=True)
AS_HELP = "Run as this user (their permissions). Required unless exactly one active administrator exists."


def _fail(message: str, detail: object = None) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    if isinstance(detail, dict):
        for key, value in detail.items():
            typer.echo(f"  {key}: {value}", err=True)
    return typer.Exit(1)


@app.command("list")
def list_products(
    q: str | None = typer.Option(None, "--q", help="Code or name contains"),
    status: str | None = typer.Option(None, "--status", help="active or inactive"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per product) instead of a table."),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    limit: int = typer.Option(200, "--limit", min=1, max=200),
) -> None:
    """List products by code, with category, unit, list price and status."""
    from loam import db
    from loam.authz import service as authz_service
    from loam.products import service
    from loam.products.schemas import ProductFilters, ProductRead

    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            filters = ProductFilters.model_validate({"q": q, "status": status})
            items, total = service.list_page(session, scope, filters, 1, limit, "code")
            paths = {n.category.id: n.path for n in service.tree(session, scope)}
            rows = [
                ProductRead.model_validate(p).model_dump(mode="json") | {"category": paths.get(p.category_id or 0)}
                for p in items
            ]
    except LoamError as exc:
        raise _fail(exc.message, exc.detail) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        price = f"{Decimal(r['list_price']):,.2f} {r['currency']}"
        typer.echo(
            f"{r['code']:<16} {r['name']:<30} {r['category'] or '':<20} {r['unit'] or '':<6} {price:>20} {r['status']}"
        )
    typer.echo(f"{total} product(s)")


@app.command("add")
def add(
    code: str = typer.Argument(..., help="Product code, unique among live products"),
    name: str = typer.Argument(..., help="Product name"),
    price: str = typer.Option(..., "--price", help="List price, e.g. 1234.50"),
    unit: str | None = typer.Option(None, "--unit", help="Unit, e.g. 台, 套, 年"),
    category: str | None = typer.Option(None, "--category", help='Category path, e.g. "硬件/服务器"'),
    currency: str = typer.Option("CNY", "--currency", help="ISO 4217 currency code"),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Add a product to the catalogue (needs products.manage); prints its id."""
    from pydantic import ValidationError

    from loam import db
    from loam.authz import service as authz_service
    from loam.products import service
    from loam.products.schemas import ProductCreate

    try:
        list_price = Decimal(price.replace(",", ""))
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            category_id = service.category_by_path(session, scope, category).id if category else None
            data = ProductCreate(
                code=code, name=name, list_price=list_price, unit=unit, category_id=category_id, currency=currency
            )
            product_id = service.create(session, scope, data).id
    except LoamError as exc:
        raise _fail(exc.message, exc.detail) from None
    except InvalidOperation:
        raise _fail(f"not a price: {price!r}") from None
    except ValidationError as exc:
        raise _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    typer.echo(f"product {product_id} {code} created")
