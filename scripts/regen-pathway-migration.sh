#!/usr/bin/env bash
# Regenerate the (not yet released) step-1 pathway migration from the current models.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/openkap-migration.lock
flock 9
rm -f migrations/versions/*_pathway_step1.py
db=$(mktemp -u /tmp/openkap-autogen.XXXXXX.sqlite3)
OPENKAP_DATABASE_URL="sqlite:///$db" .venv/bin/alembic upgrade head >/dev/null
OPENKAP_DATABASE_URL="sqlite:///$db" .venv/bin/alembic revision --autogenerate -m "pathway step1" >/dev/null
rm -f "$db"
f=$(ls migrations/versions/*_pathway_step1.py)
sed -i 's/openkap\.core\.time\.UTCDateTime(timezone=True)/sa.DateTime(timezone=True)/g; /^import openkap.core.time$/d; /# ### /d' "$f"
.venv/bin/ruff format -q "$f"
echo "regenerated $f"
