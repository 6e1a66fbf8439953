"""The `loam` command: serve, worker, db, demo, users, pools, backup/restore (each domain adds its sub-app)."""

from __future__ import annotations

import importlib

import typer

from loam.config import DEFAULT_SECRET, settings

app = typer.Typer(help="Loam CRM", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
app.add_typer(db_app, name="db")

# Domain sub-apps: loam.<domain>.cli exposes `app` and `NAME` (the sub-command name).
for _domain in (
    "org",
    "pools",
    "demo",
    "ops",
    "imports",
    "exports",
    "search",
    "merge",
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
        _mod = importlib.import_module(f"loam.{_domain}.cli")
    except ModuleNotFoundError as _exc:
        if _exc.name not in (f"loam.{_domain}", f"loam.{_domain}.cli"):
            raise
        continue
    if hasattr(_mod, "register"):
        _mod.register(app)
    else:
        app.add_typer(_mod.app, name=_mod.NAME)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply the migrations (creates the SQLite file when missing)."""
    from loam import migrate

    migrate.upgrade(revision=revision)
    typer.echo(f"database at {revision}: {settings.database_url.split('@')[-1]}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(...)) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    from loam import migrate

    migrate.downgrade(revision=revision)
    typer.echo(f"database at {revision}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    prod: bool = typer.Option(False, "--prod", help="Refuse to start with default secrets."),
    reload: bool = typer.Option(False),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="Also run the job worker in this process (scheduled pool rules)."
    ),
) -> None:
    """Serve the web UI and the API (with the job worker in-process unless --no-worker)."""
    import uvicorn

    if prod and settings.secret_key == DEFAULT_SECRET:
        typer.echo("Refusing to start: set LOAM_SECRET_KEY to a long random value for production.", err=True)
        raise typer.Exit(2)
    if prod and settings.demo:
        typer.echo("Refusing to start: LOAM_DEMO must be false in production (demo logins are public).", err=True)
        raise typer.Exit(2)
    if worker and not reload:
        from huey.consumer import Consumer

        from loam.jobs import huey

        # start() runs the scheduler and worker threads without taking over signals; uvicorn keeps them.
        Consumer(huey, workers=1, worker_type="thread", periodic=True).start()
    uvicorn.run("loam.app:create_app", factory=True, host=host, port=port, reload=reload, proxy_headers=True)


@app.command()
def worker(workers: int = typer.Option(2, help="Worker threads")) -> None:
    """Run the job worker (Huey): pool rules and other scheduled jobs."""
    from huey.consumer import Consumer

    from loam.jobs import huey

    Consumer(huey, workers=workers, worker_type="thread").run()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
