"""What the gunicorn master and the job process import before their first request or job (issue 24).

The master imports the portal's web modules once for its workers (``app.server._preimport``),
and the job process composes the portal (``app.services``). Neither validates a table nor
converts a download itself: the validation engines (Frictionless, Arrow, NumPy) and the
download formats (openpyxl, Arrow) are imported where they are used, so that every
`opendata serve` and `opendata worker` starts without them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("frictionless", "pyarrow", "numpy", "openpyxl", "alembic")
_PROBE = f"""
import json, sys
import app.cli
from app.server import _preimport, _WEB_MODULES
_preimport()
import app.jobs, app.services
missing = [m for m in _WEB_MODULES if m not in sys.modules]
print(json.dumps([missing, sorted(m for m in {HEAVY!r} if m in sys.modules)]))
"""


def test_web_master_and_job_process_start_without_validation_or_formats() -> None:
    done = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    missing, heavy = json.loads(done.stdout.splitlines()[-1])
    assert missing == []  # every module the workers use was imported once, in the master
    assert heavy == []
