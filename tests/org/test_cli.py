from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from loam.auth import service as auth_service
from loam.cli import app
from loam.org import service as org_service
from loam.org.models import User

runner = CliRunner()


def test_create_list_token_deactivate_and_set_password(connection, session, ids):
    r = runner.invoke(
        app,
        [
            "users",
            "create",
            "bob",
            "--name",
            "Bob",
            "--password",
            "secret123",
            "--role",
            "ar",
            "--role",
            "sr",
            "--department-id",
            str(ids["team2"]),
            "--email",
            "bob@example.com",
        ],
    )
    assert r.exit_code == 0, r.output
    bob = session.scalar(select(User).where(User.username == "bob"))
    assert bob.department_id == ids["team2"] and bob.email == "bob@example.com"
    assert len(org_service.role_ids_by_user(session, [bob.id])[bob.id]) == 2

    r = runner.invoke(app, ["users", "create", "bob", "--name", "Bob", "--password", "secret123"])
    assert r.exit_code == 1 and "error:" in r.output
    r = runner.invoke(app, ["users", "create", "carl", "--name", "Carl", "--password", "short"])
    assert r.exit_code == 1 and "password" in r.output
    r = runner.invoke(app, ["users", "create", "carl", "--name", "Carl", "--password", "secret123", "--role", "king"])
    assert r.exit_code == 1 and "unknown role" in r.output
    r = runner.invoke(
        app, ["users", "create", "dora", "--name", "Dora", "--role", "ar"], input="secret123\nsecret123\n"
    )
    assert r.exit_code == 0, r.output

    r = runner.invoke(app, ["users", "list"])
    assert r.exit_code == 0 and "bob\tBob" in r.output and "ar1" in r.output

    r = runner.invoke(app, ["users", "token", "bob", "--name", "ci"])
    assert r.exit_code == 0
    raw = r.output.strip().splitlines()[-1]
    assert raw.startswith("loam_")
    assert auth_service.resolve_api_token(session, raw).id == bob.id
    assert runner.invoke(app, ["users", "token", "nobody"]).exit_code == 1

    r = runner.invoke(app, ["users", "set-password", "bob"], input="another-pass\nanother-pass\n")
    assert r.exit_code == 0, r.output
    assert auth_service.resolve_api_token(session, raw) is None  # tokens end with a password reset
    session.expire_all()
    assert auth_service.authenticate(session, "bob", "another-pass").id == bob.id

    r = runner.invoke(app, ["users", "deactivate", "bob"])
    assert r.exit_code == 0
    session.expire_all()
    assert session.get(User, bob.id).is_active is False
