"""Where a Whoosh index lives: generation folders behind an atomically replaced pointer.

``WhooshIndex.replace_all`` builds a complete index in a new ``gen-*`` folder beside the
current one, then points the ``CURRENT`` file at it with one atomic rename. Every process
checks that file (one stat) before each read or write and reopens when it changed, so
readers see the old index or the new one, never a half-built one. Without the file (an
index made before rebuilds worked this way, or a new one) the index is the folder itself.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from search_index.errors import SearchUnavailable

POINTER = "CURRENT"
GENERATION_PREFIX = "gen-"
_WHOOSH_SUFFIXES = (".toc", ".seg", ".pst", ".trm", ".fdt", ".fdi", ".dci", ".dcz", ".lck")

log = logging.getLogger(__name__)


def has_pointer(root: Path) -> bool:
    """Whether ``root`` holds an index built by a rebuild."""
    return (root / POINTER).exists()


def current_folder(root: Path) -> tuple[Path, tuple[int, int] | None]:
    """Return the folder of the current index and a stamp that changes with each swap."""
    pointer = root / POINTER
    try:
        stat = pointer.stat()
        name = pointer.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return root, None
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchUnavailable(f"cannot read {pointer}: {exc}") from exc
    if not name.startswith(GENERATION_PREFIX) or "/" in name:
        raise SearchUnavailable(f"{pointer} names no index folder")
    return root / name, (stat.st_ino, stat.st_mtime_ns)


def new_generation(root: Path) -> Path:
    """Return the path of a new, not yet created generation folder."""
    return root / f"{GENERATION_PREFIX}{uuid.uuid4().hex}"


def point_to(root: Path, generation: Path) -> None:
    """Flush ``generation`` to disk, then make it current with one atomic rename."""
    for entry in os.scandir(generation):
        if entry.is_file():
            _fsync(Path(entry.path))
    _fsync(generation)
    pending = root / f"{POINTER}.tmp"
    pending.write_text(generation.name + "\n", encoding="ascii")
    _fsync(pending)
    os.replace(pending, root / POINTER)
    _fsync(root)


def remove_replaced(root: Path, current: str, keep: tuple[str, ...] = ()) -> None:
    """Remove replaced indexes: other ``gen-*`` folders and a pre-rebuild index's files.

    Processes still reading them keep their open files until they reopen on ``current``.
    """
    kept = {current, POINTER, *keep}
    for entry in os.scandir(root):
        if entry.name in kept:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name.startswith(GENERATION_PREFIX):
                    shutil.rmtree(entry.path)
            elif entry.name.endswith(_WHOOSH_SUFFIXES) or entry.name.startswith("opendata_v1"):
                os.unlink(entry.path)
        except OSError:
            log.warning("could not remove %s", entry.path, exc_info=True)


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
