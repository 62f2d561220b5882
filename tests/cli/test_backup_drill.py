"""R7, the backup and restore drill, waits for `openkap backup`: until the command exists the
figure is printed as pending, and this test fails the day it appears, so the drill gets written."""

from tests import verification
from typer.main import get_command

from openkap.cli.main import app


def test_the_backup_drill_is_pending_until_openkap_backup_exists(figures):
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert "db" in commands
    assert "backup" not in commands, "openkap backup exists: write the R7 drill now"
    verification.note(figures, "R7", "`openkap backup` does not exist yet (the set-up issue)")
