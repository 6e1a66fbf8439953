"""`loam users`: create users, issue personal access tokens, list, deactivate, reset passwords."""

from __future__ import annotations

import typer

from loam.authz.scope import Scope
from loam.errors import LoamError

NAME = "users"
app = typer.Typer(help="Users and their access", no_args_is_help=True)


def _fail(exc: LoamError) -> typer.Exit:
    typer.echo(f"error: {exc.message}", err=True)
    if isinstance(exc.detail, dict):
        for key, value in exc.detail.items():
            typer.echo(f"  {key}: {value}", err=True)
    return typer.Exit(1)


def _user_id(session: object, username: str) -> int:
    from loam.org import repository as org_repo

    user = org_repo.user_by_login(session, username)  # type: ignore[arg-type]
    if user is None:
        typer.echo(f"error: no user {username!r}", err=True)
        raise typer.Exit(1)
    return user.id


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name"),
    name: str = typer.Option(..., "--name", help="Display name"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    role: list[str] = typer.Option([], "--role", help="Role code (repeatable), e.g. admin, ar, director"),
    department_id: int | None = typer.Option(None, "--department-id"),
    email: str | None = typer.Option(None, "--email"),
) -> None:
    """Create a user with the given roles (the built-in roles are created when missing)."""
    from pydantic import ValidationError

    from loam.db import session_scope
    from loam.org import service as org_service
    from loam.org.schemas import UserCreate

    try:
        with session_scope() as session:
            roles = org_service.ensure_builtin_roles(session)
            codes = {r.code: r.id for r in org_service.list_roles(session)} | {c: r.id for c, r in roles.items()}
            unknown = [c for c in role if c not in codes]
            if unknown:
                typer.echo(f"error: unknown role {', '.join(unknown)} (known: {', '.join(sorted(codes))})", err=True)
                raise typer.Exit(1)
            data = UserCreate(
                username=username,
                display_name=name,
                password=password,
                email=email,
                department_id=department_id,
                role_ids=[codes[c] for c in role],
            )
            user = org_service.add_user(session, Scope.system(), data)
            typer.echo(f"created user {user.username} (id {user.id})")
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"error: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}", err=True)
        raise typer.Exit(1) from None
    except LoamError as exc:
        raise _fail(exc) from None


@app.command("token")
def token(
    username: str = typer.Argument(...),
    name: str = typer.Option("cli", "--name", help="A name to recognise the token by"),
) -> None:
    """Create a personal access token for USERNAME and print it (it is shown only this once)."""
    from loam.auth import service as auth_service
    from loam.db import session_scope
    from loam.org import service as org_service

    with session_scope() as session:
        user = org_service.get_user(session, _user_id(session, username))
        _row, raw = auth_service.create_api_token(session, user, name)
    typer.echo(raw)


@app.command("list")
def list_users() -> None:
    """Every user with their department and status."""
    from loam.db import session_scope
    from loam.org import service as org_service
    from loam.org.schemas import UserFilters

    with session_scope() as session:
        depts = {d.id: d.name for d in org_service.list_departments(session)}
        users, _total = org_service.list_users(session, UserFilters.model_validate({}), 1, 100_000)
        for u in users:
            status = "active" if u.is_active else "inactive"
            typer.echo(f"{u.id}\t{u.username}\t{u.display_name}\t{depts.get(u.department_id or 0, '-')}\t{status}")


@app.command("deactivate")
def deactivate(username: str = typer.Argument(...)) -> None:
    """Deactivate a user; their sessions and tokens end at once."""
    from loam.db import session_scope
    from loam.org import service as org_service

    try:
        with session_scope() as session:
            org_service.deactivate_user(session, Scope.system(), _user_id(session, username))
    except LoamError as exc:
        raise _fail(exc) from None
    typer.echo(f"deactivated {username}")


@app.command("set-password")
def set_password(
    username: str = typer.Argument(...),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Set a new password; the user's sessions and tokens end."""
    from loam.db import session_scope
    from loam.org import service as org_service

    try:
        with session_scope() as session:
            org_service.reset_password(session, Scope.system(), _user_id(session, username), password)
    except LoamError as exc:
        raise _fail(exc) from None
    typer.echo(f"password changed for {username}")
