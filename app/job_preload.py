"""Warm the job process's fork server: imported there only (``app.jobs.ChildRunner``).

Each job runs in a fresh child of the fork server, so whatever a child loads or builds on
first use it loads again for every upload. Measured (issue 24): a first analysis of a
300-row table took 1.6 s in a new process and 0.2 s after that: Frictionless loads its
plugins and compiles its metadata profiles (jsonschema), the scan and place modules load,
and the catalogue of administrative units is built (0.5 s). Analysing a tiny table once
here, at import, does all of that before any child is forked; the children share it.

Then the heap is frozen (``gc.freeze``): the fork server holds about 250,000 objects
(Frictionless, pyarrow, SQLAlchemy, the catalogue), and each child's first full garbage
collection walked all of them, 0.3-0.7 s of every upload's processing (issue 24: the
profile showed it inside whichever call allocated at that moment, SQLAlchemy's first query
mostly). Frozen objects are never walked by a collection, in the fork server or its
children.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from app.procutil import freeze_heap
from datasets.places import place_catalogue
from datasets.table_analysis import analyse_table

log = logging.getLogger(__name__)

_TABLE = (
    "ma,ngay,quan,phuong,so_luong,gia_tri,ghi_chu\n"
    "1,2024-01-02,Quận 1,Bến Nghé,3,1.5,dữ liệu mẫu\n"
    "2,2024-01-03,Quận 3,Võ Thị Sáu,4,2.5,dữ liệu mẫu\n"
)


def warm() -> None:
    """Run one analysis of a tiny table (imports, plugins, catalogue); never raise."""
    scratch = Path(tempfile.mkdtemp(prefix="opendata-warm-"))
    try:
        source = scratch / "warm.csv"
        source.write_text(_TABLE, encoding="utf-8")
        place_catalogue()
        analyse_table(source, source.name, scratch)
    except Exception:  # a cold child still works: it loads what it needs itself
        log.warning("warming the job fork server failed", exc_info=True)
    finally:
        # Best effort: a leftover warm-up table in the temporary folder harms nothing, and a
        # failed clean-up must not stop the fork server from starting.
        shutil.rmtree(scratch, ignore_errors=True)


warm()
freeze_heap()
