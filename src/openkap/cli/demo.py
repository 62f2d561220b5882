"""`openkap demo`: load a synthetic clinic, each domain adding its own part."""

from collections.abc import Callable

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.accounts import demo as accounts_demo
from openkap.accounts.demo import STAFF, demo_email
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import session_scope
from openkap.core.demo import DEMO_SLUG, DemoContext
from openkap.core.models import Organization
from openkap.core.security import DEMO_PASSWORD
from openkap.dosing import demo as dosing_demo
from openkap.episodes import demo as episodes_demo
from openkap.episodes.models import Episode, EpisodeState
from openkap.followup import demo as followup_demo
from openkap.intake import demo as intake_demo
from openkap.inventory import demo as inventory_demo
from openkap.models_registry import load_all
from openkap.patients import demo as patients_demo
from openkap.plans import demo as plans_demo
from openkap.portal import demo as portal_demo
from openkap.portal.demo import DEMO_PATIENT_HANDLE
from openkap.therapy import demo as therapy_demo

console = Console()

# In pathway order: each generator may use what the earlier ones created. The staff generator
# advances the progress once per staff member, every later one once per patient.
GENERATORS: list[Callable[[DemoContext], None]] = [
    accounts_demo.generate,
    patients_demo.generate,
    episodes_demo.generate,
    intake_demo.generate,
    plans_demo.generate,
    inventory_demo.generate,
    followup_demo.generate,
    dosing_demo.generate,
    therapy_demo.generate,
    followup_demo.trajectories,
    episodes_demo.conclude,
    inventory_demo.close,
    portal_demo.generate,
]


def progress_total(patients: int) -> int:
    """Return the steps the generators advance: one per staff member, then one per patient each."""
    return len(STAFF) + patients * (len(GENERATORS) - 1)


def demo(
    patients: int = typer.Option(200, min=0, max=100_000, help="How many patients"),
    seed: int = typer.Option(42, help="Seed: the same seed gives the same clinic"),
) -> None:
    """Load a synthetic clinic into the configured database (once; reruns leave it as it is)."""
    load_all()
    with session_scope() as session, all_tenants(session):
        if session.scalars(select(Organization).where(Organization.slug == DEMO_SLUG)).first():
            console.print("The demo clinic is already loaded.")
        else:
            with Progress(console=console, transient=True) as progress:
                total = progress_total(patients)
                task = progress.add_task("Creating the demo clinic", total=total)
                context = DemoContext(
                    session=session,
                    seed=seed,
                    patient_count=patients,
                    advance=lambda steps: progress.advance(task, steps),
                )
                for generate in GENERATORS:
                    generate(context)
            console.print(
                f"[green]Created a clinic with {patients} patients (seed {seed}).[/green]"
            )
            print_episode_states(session)
    print_logins()


def print_episode_states(session: Session) -> None:
    """Show how many episodes the demo clinic has in each state."""
    rows = session.execute(select(Episode.state, func.count()).group_by(Episode.state)).all()
    counts = {state: count for state, count in rows}
    shown = [f"{state.value} {counts[state.value]}" for state in EpisodeState if state in counts]
    console.print("Episodes: " + (", ".join(shown) or "none"))


def print_logins() -> None:
    """Show the demo accounts."""
    console.print(f"Demo logins (password for all: [bold]{DEMO_PASSWORD}[/bold]):")
    for handle, name, roles in STAFF:
        console.print(f"  {demo_email(handle):34} {name} ({', '.join(r.value for r in roles)})")
    console.print(f"  {demo_email(DEMO_PATIENT_HANDLE):34} a demo patient (patient portal)")


def register(app: typer.Typer) -> None:
    """Add the demo command to the root command."""
    app.command("demo")(demo)
