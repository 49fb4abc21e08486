"""The subset of Solr query syntax CKAN clients send in ``q`` and ``fq``, parsed to a query tree.

Grammar (loosest first)::

    query       := clause (whitespace clause)*          each clause must match (AND)
    clause      := conjunction (("OR" | "||") conjunction)*
    conjunction := unary (("AND" | "&&") unary)*
    unary       := ("NOT" | "!" | "-") unary | "+" unary | primary
    primary     := "(" query ")" | field ":" value | "*:*" | word | "\"phrase\""
    value       := word | "\"phrase\"" | "*" | "(" query ")" | "[" low " TO " high "]"

So ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``, and clauses separated
only by spaces are all required and bind loosest: ``organization:a OR organization:b
groups:g`` reads ``(a OR b) AND g``, the reading ckanext-harvest intends when it joins its
filters with spaces. (Solr's classic parser gives mixed implicit and explicit operators a
surprising meaning; CKAN's ``q`` goes through edismax, whose ``mm`` lets a long query match
with words missing. Here every word is required, as the portal's own search does.)

Fields: ``text`` (the default), ``title``, ``name``, ``id``, ``tags``, ``organization``,
``res_format``, ``license_id``, ``groups``, ``access_level``, ``metadata_modified`` and
``metadata_created`` (ranges only, ``[`` ``]`` inclusive, ``{`` ``}`` exclusive, ISO instants,
``*`` or ``NOW`` with ``+``/``-`` steps and ``/`` rounding), ``dataset_type``/``type``
(``dataset``), ``state`` (``active``) and ``capacity`` (``public``/``private``).

Refused with a ``SearchQueryError`` (never a silent empty answer): local parameters ``{!...}``,
fuzzy and proximity ``~``, boosts ``^``, wildcards inside words, regular expressions, ranges on
other fields, unknown fields in ``fq`` (in ``q`` an unknown ``word:word`` is plain text, as
edismax reads it), unbalanced parentheses or quotes, and queries past the size limits.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from search_index import (
    And,
    DateRange,
    Everything,
    Exact,
    Not,
    Or,
    Present,
    QueryNode,
    SearchQueryError,
    Words,
)

MAX_PARAMETER_CHARS = 1000  # per q / fq / fq_list entry
MAX_CLAUSES = 50  # leaves (each word counts) over q and every fq together
MAX_DEPTH = 8  # nested parentheses

_FIELDS: dict[str, tuple[str, str]] = {
    "text": ("words", "text"),
    "title": ("words", "title"),
    "name": ("exact", "name"),
    "id": ("exact", "id"),
    "tags": ("exact", "tags"),
    "organization": ("exact", "organization"),
    "res_format": ("exact", "res_format"),
    "license_id": ("exact", "license_id"),
    "groups": ("exact", "theme"),
    "access_level": ("exact", "access_level"),  # the portal's own field (issue 18)
    "place": ("exact", "place"),  # unit keys of the places catalogue (issue 22)
    "metadata_modified": ("date", "modified"),
    "metadata_created": ("date", "created"),
    "dataset_type": ("constant", "dataset"),
    "type": ("constant", "dataset"),
    "state": ("constant", "active"),  # only published (active) datasets are indexed
    "capacity": ("capacity", ""),
}
SOLR_FIELDS = tuple(_FIELDS)
_FIELD_NAME = re.compile(r"^[A-Za-z_][\w.]*$")
_SPECIAL = set('()"[]{}')
_UNITS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
_NOW_RE = re.compile(
    r"^NOW(?P<steps>(?:[+-]\d{1,6}(?:YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?)*)"
    r"(?:/(?P<round>YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?)?$"
)
_STEP_RE = re.compile(r"([+-])(\d+)(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?")


@dataclass(frozen=True)
class _Token:
    kind: str  # LP RP AND OR NOT PLUS MINUS FIELD TERM RANGE ALL
    text: str = ""
    quoted: bool = False
    bounds: tuple[str, str, bool, bool] = ("", "", True, True)


def parse_solr(text: str, param: str, *, lenient_fields: bool) -> tuple[QueryNode, int]:
    """Return the query tree of ``text`` and how many clauses it has.

    ``lenient_fields`` (``q``) reads an unknown ``name:value`` as plain words; otherwise
    (``fq``) it is an error. Raises ``SearchQueryError`` naming ``param`` for anything refused.
    """
    if len(text) > MAX_PARAMETER_CHARS:
        raise SearchQueryError(f"{param}: at most {MAX_PARAMETER_CHARS} characters")
    parser = _Parser(_tokens(text, param, lenient_fields), param)
    node = parser.query(None, 0)
    if parser.peek() is not None:
        raise SearchQueryError(f"{param}: unbalanced ')'")
    return node, parser.clauses


def _tokens(text: str, param: str, lenient: bool) -> list[_Token]:
    out: list[_Token] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char.isspace():
            i += 1
        elif text.startswith("{!", i):
            raise SearchQueryError(f"{param}: local parameters ({{!...}}) are not supported")
        elif char in "()":
            out.append(_Token("LP" if char == "(" else "RP"))
            i += 1
        elif text.startswith("&&", i) or text.startswith("||", i):
            out.append(_Token("AND" if char == "&" else "OR"))
            i += 2
        elif char in "+-!" and i + 1 < size and not text[i + 1].isspace():
            out.append(_Token({"+": "PLUS", "-": "MINUS", "!": "NOT"}[char]))
            i += 1
        elif char == '"':
            value, i = _quoted(text, i, param)
            out.append(_Token("TERM", value, quoted=True))
        elif char in "[{":
            if not out or out[-1].kind != "FIELD":
                raise SearchQueryError(f"{param}: a range needs a field, as metadata_modified:[…]")
            bounds, i = _range(text, i, param)
            out.append(_Token("RANGE", bounds=bounds))
        elif char in "]}":
            raise SearchQueryError(f"{param}: unbalanced {char!r}")
        else:
            i = _bare(text, i, param, lenient, out)
    return out


def _quoted(text: str, start: int, param: str) -> tuple[str, int]:
    value: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            value.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            _refuse_suffix(text, i + 1, param)
            return "".join(value), i + 1
        value.append(char)
        i += 1
    raise SearchQueryError(f"{param}: unbalanced quote")


def _refuse_suffix(text: str, i: int, param: str) -> None:
    if i < len(text) and text[i] == "~":
        raise SearchQueryError(f"{param}: fuzzy and proximity search (~) is not supported")
    if i < len(text) and text[i] == "^":
        raise SearchQueryError(f"{param}: boosts (^) are not supported")


def _range(text: str, start: int, param: str) -> tuple[tuple[str, str, bool, bool], int]:
    end = next((j for j in range(start + 1, len(text)) if text[j] in "]}"), -1)
    if end < 0:
        raise SearchQueryError(f"{param}: unbalanced '{text[start]}'")
    parts = text[start + 1 : end].split()
    if len(parts) != 3 or parts[1] != "TO":
        raise SearchQueryError(
            f"{param}: malformed range {text[start : end + 1]!r}; use [2024-01-01T00:00:00Z TO *]"
        )
    return (parts[0], parts[2], text[start] == "[", text[end] == "]"), end + 1


def _bare(text: str, start: int, param: str, lenient: bool, out: list[_Token]) -> int:
    """Read a word (or ``field:``) from ``start``; append its token; return where it ends."""
    chars: list[str] = []
    escaped = False
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            escaped = True
            i += 2
            continue
        if char.isspace() or char in _SPECIAL:
            break
        if char == ":":
            name = "".join(chars)
            if name == "*" and text.startswith("*", i + 1):
                out.append(_Token("ALL"))
                return i + 2
            known = name in _FIELDS
            if _FIELD_NAME.match(name) and not escaped and (known or not lenient):
                if not known:
                    raise SearchQueryError(f"{param}: unknown field {name!r}")
                if i + 1 >= len(text) or text[i + 1].isspace():
                    raise SearchQueryError(f"{param}: {name}: has no value")
                out.append(_Token("FIELD", name))
                return i + 1
        if char in "~^":
            _refuse_suffix(text, i, param)
        chars.append(char)
        i += 1
    word = "".join(chars)
    if not escaped and word in ("AND", "OR", "NOT"):
        out.append(_Token(word))
    elif word.startswith("/"):
        raise SearchQueryError(f"{param}: regular expressions are not supported")
    elif word != "*" and ("*" in word or "?" in word) and not escaped:
        raise SearchQueryError(f"{param}: wildcards inside words are not supported ({word!r})")
    else:
        out.append(_Token("TERM", word))
    return i


class _Parser:
    def __init__(self, tokens: list[_Token], param: str) -> None:
        self.tokens, self.param = tokens, param
        self.position = 0
        self.clauses = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise SearchQueryError(f"{self.param}: the query ends where a clause is expected")
        self.position += 1
        return token

    def query(self, field: str | None, depth: int) -> QueryNode:
        items: list[QueryNode] = []
        while (token := self.peek()) is not None and token.kind != "RP":
            items.append(self.disjunction(field, depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def disjunction(self, field: str | None, depth: int) -> QueryNode:
        parts = [self.conjunction(field, depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            parts.append(self.conjunction(field, depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self, field: str | None, depth: int) -> QueryNode:
        parts = [self.unary(field, depth)]
        while (token := self.peek()) is not None and token.kind == "AND":
            self.take()
            parts.append(self.unary(field, depth))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, field: str | None, depth: int) -> QueryNode:
        token = self.take()
        if token.kind in ("NOT", "MINUS"):
            return Not(self.unary(field, depth))
        if token.kind == "PLUS":
            return self.unary(field, depth)
        return self.primary(token, field, depth)

    def primary(self, token: _Token, field: str | None, depth: int) -> QueryNode:
        if token.kind == "LP":
            if depth >= MAX_DEPTH:
                raise SearchQueryError(f"{self.param}: at most {MAX_DEPTH} nested parentheses")
            if (after := self.peek()) is not None and after.kind == "RP":
                raise SearchQueryError(f"{self.param}: empty parentheses")
            node = self.query(field, depth + 1)
            if self.peek() is None:
                raise SearchQueryError(f"{self.param}: unbalanced '('")
            self.take()
            return node
        if token.kind == "FIELD":
            return self.primary(self.take(), token.text, depth)
        if token.kind == "ALL":
            return Everything()
        if token.kind in ("TERM", "RANGE"):
            self.clauses += 1
            if self.clauses > MAX_CLAUSES:
                raise SearchQueryError(f"the query may have at most {MAX_CLAUSES} clauses")
            return _leaf(field or "text", token, self.param)
        what = {"RP": "')'", "AND": "AND", "OR": "OR"}.get(token.kind, token.kind)
        raise SearchQueryError(f"{self.param}: {what} where a clause is expected")


def _leaf(field: str, token: _Token, param: str) -> QueryNode:
    kind, target = _FIELDS[field]
    if token.kind == "RANGE":
        if kind != "date":
            raise SearchQueryError(
                f"{param}: ranges work on metadata_modified and metadata_created, not {field}"
            )
        low, high, include_low, include_high = token.bounds
        return DateRange(
            target, _instant(low, param), _instant(high, param), include_low, include_high
        )
    value, anything = token.text, token.text == "*" and not token.quoted
    if kind == "words":
        if anything:
            return Everything()
        return Words(target, value, phrase=token.quoted)
    if kind == "exact":
        if anything:
            return Present(target) if target not in ("name", "id") else Everything()
        return Exact(target, value)
    if kind == "date":
        if anything:
            return Everything()
        raise SearchQueryError(f"{param}: {field} takes a range, as [2024-01-01T00:00:00Z TO *]")
    if kind == "capacity":
        public = Exact("access_level", "public")
        if value == "public":
            return public
        return Not(public) if value == "private" else Or(())
    return Everything() if anything or value == target else Or(())


def _instant(raw: str, param: str) -> datetime | None:
    if raw == "*":
        return None
    now = _NOW_RE.match(raw)
    if now is not None:
        moment = datetime.now(UTC)
        for sign, amount, unit in _STEP_RE.findall(now.group("steps")):
            moment = _shift(moment, int(amount) * (1 if sign == "+" else -1), unit)
        if now.group("round"):
            moment = _round_down(moment, now.group("round"))
        return moment
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise SearchQueryError(
            f"{param}: malformed date {raw!r}; use 2024-01-01T00:00:00Z, * or NOW-1DAY"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shift(moment: datetime, amount: int, unit: str) -> datetime:
    if unit in ("YEAR", "MONTH"):
        months = moment.month - 1 + amount * (12 if unit == "YEAR" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        if not 1 <= year <= 9999:
            raise SearchQueryError("date arithmetic leaves the calendar")
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    seconds = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}[unit]
    try:
        return moment + timedelta(seconds=amount * seconds)
    except OverflowError:
        raise SearchQueryError("date arithmetic leaves the calendar") from None


def _round_down(moment: datetime, unit: str) -> datetime:
    """Round ``moment`` down to the start of its ``unit`` (Solr's ``NOW/DAY``)."""
    keep = _UNITS.index(unit) + 1  # year, month, day, hour, minute, second kept up to unit
    fields = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]
    floor = [1, 1, 1, 0, 0, 0]
    year, month, day, hour, minute, second = fields[:keep] + floor[keep:]
    return datetime(year, month, day, hour, minute, second, tzinfo=moment.tzinfo)
