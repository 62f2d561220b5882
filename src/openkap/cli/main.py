"""The `openkap` command: assembles every domain's commands."""

import typer

from openkap.cli import admin as admin_cli
from openkap.cli import demo as demo_cli
from openkap.cli import instruments as instruments_cli
from openkap.cli import therapy as therapy_cli

app = typer.Typer(
    help="OpenKAP: Ketamine-Assisted Psychotherapy clinic platform.", no_args_is_help=True
)
admin_cli.register(app)
demo_cli.register(app)
instruments_cli.register(app)
therapy_cli.register(app)
