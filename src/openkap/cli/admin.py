"""Operating commands: database, server, audit verification, first administrator."""

import typer
from rich.console import Console
from rich.table import Table

from openkap.core.audit.verify import verify_all
from openkap.core.config import get_settings
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import get_engine, session_scope
from openkap.models_registry import load_all

console = Console()
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply the migrations to the configured database."""
    load_all()
    upgrade(get_engine(), revision)
    console.print(f"[green]Database is at revision {revision}.[/green]")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk every clinic's audit chain and report the first broken link; exit 1 if any."""
    load_all()
    with session_scope() as session, all_tenants(session):
        reports = verify_all(session)
    table = Table("chain", "events", "verdict")
    for report in reports:
        verdict = "[green]intact[/green]" if report.ok else f"[red]BROKEN: {report.problem}[/red]"
        table.add_row(str(report.organization_id), str(report.events), verdict)
    console.print(table)
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Serve the web application and API."""
    import uvicorn

    # Only the configured proxy may name the client (X-Forwarded-For): the address decides the
    # sign-in throttle and the audit log, so any other sender's header is ignored.
    proxy = get_settings().trusted_proxy

    # No access log: request lines carry search words and record ids, which are patient data.
    uvicorn.run(
        "openkap.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=bool(proxy),
        forwarded_allow_ips=proxy or None,
    )


def register(app: typer.Typer) -> None:
    """Add the operating commands to the root command."""
    app.add_typer(db_app, name="db")
    app.add_typer(audit_app, name="audit")
    app.command("serve")(serve)
