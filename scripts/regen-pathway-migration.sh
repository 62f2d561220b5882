#!/usr/bin/env bash
# Regenerate an unreleased migration from the current models: `pathway_step1` (default) or
# another slug given as the first argument, e.g. `pathway_step2`. Only the newest migration may be
# regenerated this way: earlier ones are applied by then.
set -euo pipefail
cd "$(dirname "$0")/.."
slug="${1:-pathway_step1}"
exec 9>/tmp/openkap-migration.lock
flock 9
rm -f migrations/versions/*_"$slug".py
db=$(mktemp -u /tmp/openkap-autogen.XXXXXX.sqlite3)
OPENKAP_DATABASE_URL="sqlite:///$db" .venv/bin/alembic upgrade head >/dev/null
OPENKAP_DATABASE_URL="sqlite:///$db" .venv/bin/alembic revision --autogenerate -m "${slug//_/ }" >/dev/null
rm -f "$db"
f=$(ls migrations/versions/*_"$slug".py)
sed -i 's/openkap\.core\.time\.UTCDateTime(timezone=True)/sa.DateTime(timezone=True)/g; /^import openkap.core.time$/d; /# ### /d' "$f"
.venv/bin/ruff check --fix -q "$f" || true
.venv/bin/ruff format -q "$f"
echo "regenerated $f"
