"""The JSON of published datasets in lists, remembered encoded (issue 24).

A CKAN package dict (or a REST dataset shape) is a pure function of a public view and of a
few values a request gives (the site's address in download URLs, theme titles, organization
creation times: the *context*). Lists of up to 1,000 datasets spent most of their time
building those dicts again on every call; ``EncodedViews`` keeps each one encoded
(``app.fast_json.Encoded``), so a remembered list answer is a copy of bytes.

What may be answered from memory, and to whom:

* Only the public projection is ever remembered: callers pass views that
  ``PublicCatalog`` returned (the same for every reader: a non-public dataset's view has no
  resources). A reader's own projection (``datasets.audience``) is built per call and never
  passed here; even if it were, an entry is answered only for the very view object it was
  built from (below), so one reader's projection can never be answered to another.
* An entry is valid only while the catalog returns the *same view object* it was built from
  (compared by identity through a weak reference, so a view the catalog forgot is not kept
  alive here) and the same context. The catalog builds a new view whenever the dataset's
  stamp moves (an approval of an edit, a withdrawal, a deletion, a download) or its own
  memory expires, so a change is seen by the next call, exactly as the views are.

The memory is bounded in bytes of encoded JSON (``MAX_BYTES`` per process, least recently
used first; README "Limits").
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from app.fast_json import Encoded, encode
from datasets.public import PublicDataset
from datasets.public_cache import BoundedCache

# Bytes of encoded JSON one process remembers (a CKAN package with two resources is about
# 3 kB: some 10,000 packages).
MAX_BYTES = 32 * 1024 * 1024
# What an entry costs besides its bytes (the entry, its weak reference, the key).
_ENTRY_OVERHEAD = 300
# Distinct contexts remembered (a site answers under one address; a few for tests and proxies).
_CONTEXTS = 16


@dataclass(frozen=True, slots=True)
class _Entry:
    view: weakref.ReferenceType[PublicDataset]
    context: object  # the token of the context it was built in (compared by identity)
    encoded: Encoded


def _sizeof(entry: _Entry) -> int:
    return len(entry.encoded.data) + _ENTRY_OVERHEAD


def as_dict(item: Encoded | dict[str, Any]) -> dict[str, Any]:
    """Return an item of ``EncodedViews.items`` as a dict (for ``fl`` and other readers)."""
    if isinstance(item, Encoded):
        value: dict[str, Any] = item.value()
        return value
    return item


class EncodedViews:
    """Encoded JSON of public views by kind ("ckan", "rest"), view and context."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._entries: BoundedCache[tuple[str, str], _Entry] = BoundedCache(
            max_bytes, sizeof=_sizeof
        )
        self._contexts: BoundedCache[Hashable, object] = BoundedCache(_CONTEXTS)

    def items(
        self,
        kind: str,
        views: Sequence[PublicDataset],
        context: Hashable,
        build: Callable[[PublicDataset], dict[str, Any]],
    ) -> list[Encoded | dict[str, Any]]:
        """Return ``build(view)`` of each view, encoded, in order: remembered ones as they
        were, the others built now (and remembered). ``context`` must hold everything
        ``build`` reads besides the view; a value ``encode`` refuses is returned as a dict."""
        token = self._contexts.get_or_build(context, object)
        keys = [(kind, view.id) for view in views]
        known = self._entries.get_many(keys)
        out: list[Encoded | dict[str, Any]] = []
        for key, view in zip(keys, views, strict=True):
            entry = known.get(key)
            if entry is not None and entry.context is token and entry.view() is view:
                out.append(entry.encoded)
                continue
            value = build(view)
            encoded = encode(value)
            if encoded is None:
                out.append(value)
                continue
            self._entries.put(key, _Entry(weakref.ref(view), token, encoded))
            out.append(encoded)
        return out
