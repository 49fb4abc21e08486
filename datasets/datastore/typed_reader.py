"""Reading and casting a large CSV in a child process while the caller writes the rows.

Casting is Python: about a third of the CPU of a SQLite load of 1,000,000 rows, and all of
the Python work of a PostgreSQL one. A file of ``PARALLEL_MIN_BYTES`` or more is read by a
child process (a fresh interpreter: no state of the caller is copied) that runs the very
same ``read_typed_batches`` and sends the batches through a pipe, pickled; the caller unpickles
them (a fifth of the cost of casting) and writes them on its own core meanwhile. The pipe
holds one batch at a time, so memory stays bounded. Smaller files are read in the caller:
a child costs a fraction of a second to start.
"""

from __future__ import annotations

import json
import pickle
import struct
import subprocess
import sys
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import IO, Any

from datasets.datastore.base import LoadFailed
from datasets.datastore.casting import read_typed_batches

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the ``datasets`` package
# The child imports this module by its path, never the caller's __main__ (as multiprocessing
# would). It runs isolated and without site-packages (``-I -S``: the reader needs the
# standard library only), and the two packages stand empty so that importing this module
# runs neither package's ``__init__`` (which imports psycopg and the query planners): it
# starts in a fifth of a second instead of most of one.
_START = (
    "import sys, types\n"
    "for name in ('datasets', 'datasets.datastore'):\n"
    "    package = types.ModuleType(name)\n"
    "    package.__path__ = [sys.argv[1] + '/' + name.replace('.', '/')]\n"
    "    sys.modules[name] = package\n"
    "from datasets.datastore.typed_reader import produce\n"
    "produce()\n"
)
_FRAME = struct.Struct("!Q")


def typed_batches(
    csv_path: Path,
    table_schema: Mapping[str, Any],
    batch_size: int,
    text_lengths: dict[str, list[int]] | None = None,
    *,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
) -> Generator[list[tuple[Any, ...]], None, None]:
    """``read_typed_batches`` (with ``int64``), read by a child process when the file is
    large enough.

    The same batches, the same ``LoadFailed`` errors and the same ``text_lengths``
    either way (filled when the last batch has been handed over). Closing the iterator
    early (``close``) stops the child.
    """
    if csv_path.stat().st_size < parallel_min_bytes:
        yield from read_typed_batches(csv_path, table_schema, batch_size, text_lengths, int64=True)
        return
    request = {"path": str(csv_path), "schema": dict(table_schema), "batch_size": batch_size}
    child = subprocess.Popen(  # noqa: S603 -- our own module; the request goes in on stdin
        [sys.executable, "-I", "-S", "-c", _START, str(_ROOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        child.stdin.write(json.dumps(request).encode())
        child.stdin.close()
        while True:
            kind, payload = _receive(child.stdout)
            if kind == "rows":
                yield payload
            elif kind == "done":
                if text_lengths is not None:
                    text_lengths.update(payload)
                return
            elif kind == "failed":
                raise LoadFailed(payload)
            else:
                raise RuntimeError(f"the CSV reader failed: {payload}")
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.wait()


def _receive(stream: IO[bytes]) -> tuple[str, Any]:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise LoadFailed("the CSV reader stopped before the end of the file")
    body = stream.read(_FRAME.unpack(head)[0])
    # bytes of our own child, through a pipe no one else holds
    kind, payload = pickle.loads(body)  # noqa: S301
    return str(kind), payload


def _send(stream: IO[bytes], kind: str, payload: Any) -> None:
    body = pickle.dumps((kind, payload), pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(body)))
    stream.write(body)


def produce() -> None:
    """The child: read the request on stdin, send the batches on stdout, framed."""
    request = json.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    lengths: dict[str, list[int]] = {}
    try:
        path, schema = Path(request["path"]), request["schema"]
        size = int(request["batch_size"])
        for batch in read_typed_batches(path, schema, size, lengths, int64=True):
            _send(out, "rows", batch)
        _send(out, "done", lengths)
    except LoadFailed as exc:
        _send(out, "failed", exc.message)
    except (BrokenPipeError, ConnectionResetError):
        return  # the caller stopped reading
    except Exception as exc:  # a defect: the caller raises it
        _send(out, "error", repr(exc))
    out.flush()
