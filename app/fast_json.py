"""JSON answers encoded by orjson: what ``flask.jsonify`` answers, several times faster.

Flask's provider (``DefaultJSONProvider``) sorts keys, writes compact separators and ends
the body with a newline; so does ``json_response``. The one difference in the bytes: text
outside ASCII is written as UTF-8 instead of ``\\uXXXX`` escapes, the same JSON once
parsed (the body is ``application/json``, UTF-8). Whatever orjson would write otherwise
than Flask goes through ``jsonify`` unchanged: integers past 64 bits, keys that are not
strings, dates, decimals and other objects only Flask's ``default`` knows, and floats that
are not finite (orjson writes them as ``null``, Flask as ``NaN``/``Infinity``).

A part of a body may be encoded ahead (``encode``: an ``Encoded`` value, checked once when it
is made) and put in any number of bodies: ``json_response`` copies its bytes as they are and
does not check it again (a list of 1,000 remembered CKAN packages costs a copy).
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from typing import Any

import orjson
from flask import Response, current_app, jsonify

# Dataclasses and dates go to ``default`` (refused: Flask writes dates as HTTP dates).
_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


# An ``Encoded`` part: the same bytes without the newline that ends a body.
_PART_OPTIONS = _OPTIONS & ~orjson.OPT_APPEND_NEWLINE

_NON_FINITE = re.compile(rb"G[\x7f\xff][\xf0-\xff]")


class _NotPlain(TypeError):
    """A value orjson would encode differently from Flask."""


def _refuse(value: Any) -> Any:
    raise _NotPlain(type(value).__name__)


@dataclass(frozen=True, slots=True)
class Encoded:
    """A value encoded ahead by ``encode``: its JSON as ``json_response`` writes it."""

    data: bytes

    def __reduce__(self) -> tuple[Any, ...]:
        # Checked when it was made: the float scan of a body pickles it as nothing.
        return (Encoded, (b"",))

    def value(self) -> Any:
        """Return the value back (for an answer that must be built again, or read)."""
        return orjson.loads(self.data)


def encode(value: Any) -> Encoded | None:
    """Return ``value`` encoded as ``json_response`` would, or None when it holds anything
    that only ``jsonify`` writes alike (see the module's text): keep the value then."""
    try:
        data = orjson.dumps(value, default=_refuse, option=_PART_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError, _NotPlain, keys that are not strings
        return None
    if b"null" in data and _has_non_finite(value):
        return None
    return Encoded(data)


def _part(value: Any) -> Any:
    if isinstance(value, Encoded):
        return orjson.Fragment(value.data)
    raise _NotPlain(type(value).__name__)


def _plain(value: Any) -> Any:
    """Return ``value`` with every ``Encoded`` part decoded (for ``jsonify``)."""
    if isinstance(value, Encoded):
        return value.value()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def json_response(body: Any, *, finite: bool = False) -> Response:
    """Return ``body`` as ``jsonify`` would (status 200, ``application/json``).

    ``finite=True`` says the caller knows every float of ``body`` is finite (the records of
    a datastore table: loading turns NaN and infinities into NULL); otherwise the floats
    are checked, and a body holding one that is not finite goes through ``jsonify``.
    """
    provider = current_app.json
    compact = getattr(provider, "compact", None)
    if compact is False or (compact is None and current_app.debug):  # jsonify indents
        return jsonify(_plain(body))
    if getattr(provider, "sort_keys", True) is not True:
        return jsonify(_plain(body))
    data = plain_json(body, finite=finite)
    if data is None:
        return jsonify(_plain(body))
    return current_app.response_class(data, mimetype="application/json")


def plain_json(body: Any, *, finite: bool = False) -> bytes | None:
    """The bytes ``json_response`` answers for ``body`` (Flask's provider as configured by
    default), or None when only ``jsonify`` writes them as Flask does."""
    try:
        data = orjson.dumps(body, default=_part, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError, _NotPlain, keys that are not strings
        return None
    if not finite and (b"null" in data) and _has_non_finite(body):
        return None
    return data


def _has_non_finite(value: Any) -> bool:
    """Whether ``value`` may hold a float that is NaN or infinite, at any depth.

    Pickled (in C, several times faster than a walk in Python), every float is the opcode
    ``G`` and its 8 bytes big-endian: NaN and the infinities have all 11 exponent bits set.
    The same bytes inside a string only send that answer through ``jsonify``.
    """
    try:
        raw = pickle.dumps(value, protocol=5)
    except Exception:  # anything pickle cannot take: let jsonify answer
        return True
    return _NON_FINITE.search(raw) is not None
