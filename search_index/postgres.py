"""The scaled search backend: PostgreSQL full text in the index's own schema.

Documents live in ``<schema>.documents`` with a ``tsvector`` built in Python, so PostgreSQL's
parser (whose idea of a letter depends on the database locale) never splits Vietnamese words:
accented title words carry weight A, folded title words B, accented description words C and
folded description words and keywords D. Every query word must match its folded lexeme; the
rank adds accented matches and phrases (``<->`` on adjacent words), as the Whoosh backend does.

A table made by an older version (a column missing) is ``outdated``: it is left alone, takes no
documents, and start-up rebuilds it (``replace_all`` drops and makes the tables anew).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from search_index.documents import SearchDocument, SearchHit, SearchPage, SearchQuery, SortOrder
from search_index.errors import SearchConfigError, SearchUnavailable
from search_index.postgres_sql import (
    DOCUMENT_COLUMNS,
    FACET_COLUMNS,
    document_row,
    phrase_query,
    quote_lexeme,
    schema_statements,
)
from search_index.snippets import highlight_fields
from search_index.suggest import suggest_words
from search_index.text import QueryText, nfc

DEFAULT_SCHEMA = "search_index"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_COLUMNS = ", ".join(DOCUMENT_COLUMNS)
OUTDATED = "the search index was built by an older version: run `opendata index rebuild`"
T = TypeVar("T")


class PostgresIndex:
    """A ``SearchIndex`` stored in PostgreSQL, shared by every server of a deployment."""

    def __init__(self, conninfo: str, schema: str = DEFAULT_SCHEMA) -> None:
        if not _IDENTIFIER.match(schema):
            raise SearchConfigError("the search schema must be a lowercase SQL identifier")
        self._conninfo = conninfo
        self.schema = schema
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._run(self._create_schema)

    @classmethod
    def from_url(cls, url: str) -> PostgresIndex:
        """Open ``postgresql://user@host/db?schema=NAME``, creating the schema and table."""
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise SearchConfigError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), DEFAULT_SCHEMA)
        rest = urlencode([(k, v) for k, v in query if k != "schema"])
        return cls(urlunsplit(parts._replace(query=rest)), schema)

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10)
        return self._conn

    def _run(self, action: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run ``action`` on the shared connection; a broken one is dropped and retried once."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return action(self._connect())
                except psycopg.OperationalError as exc:
                    if self._conn is not None:
                        self._conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise SearchUnavailable("the search database is unreachable") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _table(self, name: str = "documents") -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))

    def _create_schema(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            # Serialize concurrent creation by several workers starting at once.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
            if self._is_outdated(conn):
                return  # left as it is: start-up rebuilds it (``replace_all``)
            for statement in schema_statements(self.schema):
                conn.execute(statement)

    def _is_outdated(self, conn: psycopg.Connection[Any]) -> bool:
        """Whether ``documents`` exists without a column this version writes."""
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'documents'",
            (self.schema,),
        ).fetchall()
        columns = {row[0] for row in rows}
        return bool(columns) and not set(DOCUMENT_COLUMNS) <= columns

    def outdated(self) -> bool:
        """True when the table was made by an older version (a column is missing): start-up
        rebuilds it (``replace_all``); until then it takes no documents, and searches that use
        the missing column fail (``SearchUnavailable``).
        """
        return self._run(self._is_outdated)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _writing(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s || '.write'))", (self.schema,))
            yield

    def _insert(self, conn: psycopg.Connection[Any], documents: Iterable[SearchDocument]) -> int:
        count = 0
        vocabulary: set[str] = set()
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(self._table(), sql.SQL(_COLUMNS))
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for doc in documents:
                row, words = document_row(doc)
                copy.write_row(row)
                vocabulary.update(words)
                count += 1
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL("INSERT INTO {} (term) VALUES (%s) ON CONFLICT DO NOTHING").format(
                    self._table("terms")
                ),
                [(w,) for w in sorted(vocabulary)],
            )
        return count

    def upsert(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents by id in one transaction."""
        docs = list(documents)

        def write(conn: psycopg.Connection[Any]) -> None:
            with self._writing(conn):
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(self._table()),
                    ([d.id for d in docs],),
                )
                self._insert(conn, docs)

        try:
            self._run(write)
        except psycopg.errors.UndefinedColumn as exc:
            raise SearchUnavailable(OUTDATED) from exc

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        wanted = list(ids)

        def write(conn: psycopg.Connection[Any]) -> None:
            with self._writing(conn):
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(self._table()), (wanted,)
                )

        self._run(write)

    def replace_all(self, documents: Iterable[SearchDocument]) -> int:
        """Replace every document in one transaction; readers see the old set until commit.

        The tables are dropped and made anew first, so a damaged schema (a dropped column,
        table or index) is repaired too; readers wait for the commit, never see a half.
        """

        def write(conn: psycopg.Connection[Any]) -> int:
            with self._writing(conn):
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table()))
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table("terms")))
                for statement in schema_statements(self.schema):
                    conn.execute(statement)
                count = self._insert(conn, documents)
            conn.execute(sql.SQL("ANALYZE {}").format(self._table()))
            return count

        return self._run(write)

    def drop(self) -> None:
        """Drop the index's schema with everything in it (tests and benchmarks clean up)."""
        statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
        self._run(lambda conn: conn.execute(statement))

    def size_bytes(self) -> int:
        """Return the bytes the index's tables and their indexes use."""
        statement = sql.SQL(
            "SELECT pg_total_relation_size(%s::regclass) + pg_total_relation_size(%s::regclass)"
        )
        names = (f'"{self.schema}".documents', f'"{self.schema}".terms')
        return int(self._run(lambda conn: _one(conn.execute(statement, names).fetchone())))

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        """Return how many documents the index holds."""
        query = sql.SQL("SELECT count(*) FROM {}").format(self._table())
        return int(self._run(lambda conn: _one(conn.execute(query).fetchone())))

    def ping(self) -> None:
        """Run a real query (words, ranking, a page); raise ``SearchUnavailable`` on failure."""
        probe = SearchQuery(text="dữ liệu thành phố", limit=1, facets=(), highlight=True)
        try:
            self._run(lambda conn: self._search(conn, probe))
        except psycopg.Error as exc:
            raise SearchUnavailable(f"the search index cannot be read: {exc}") from exc

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of hits matching every word of ``query.text``, with facet counts."""
        try:
            return self._run(lambda conn: self._search(conn, query))
        except psycopg.Error as exc:  # a damaged schema: ``replace_all`` repairs it
            raise SearchUnavailable(f"the search index cannot be read: {exc}") from exc

    def _search(self, conn: psycopg.Connection[Any], query: SearchQuery) -> SearchPage:
        text = QueryText(query.text)
        where, params = _conditions(text, query)
        hits = sql.SQL("SELECT * FROM {} WHERE {}").format(self._table(), where)
        total, facets = self._facets(conn, hits, params, query)
        rank, rank_params = _rank(text)
        order = _order(query.sort if text else _browse(query.sort))
        page_sql = sql.SQL(
            "SELECT id, name, title_vi, title_en, description_vi, description_en, {} AS score "
            "FROM ({}) AS hits ORDER BY {} LIMIT %s OFFSET %s"
        ).format(rank, hits, order)
        rows = conn.execute(
            page_sql, [*rank_params, *params, max(query.limit, 0), max(query.offset, 0)]
        ).fetchall()
        page = tuple(_hit(row, text, query.highlight) for row in rows)
        suggestion = self._suggest(conn, text) if text else None
        return SearchPage(total=total, hits=page, facets=facets, suggestion=suggestion)

    def _facets(
        self,
        conn: psycopg.Connection[Any],
        hits: sql.Composed,
        params: list[Any],
        query: SearchQuery,
    ) -> tuple[int, dict[str, tuple[tuple[str, int], ...]]]:
        parts: list[sql.Composable] = [sql.SQL("SELECT '', '', count(*) FROM hits")]
        for facet in query.facets:
            column, is_array = FACET_COLUMNS[facet]
            value = sql.SQL("unnest({})" if is_array else "{}").format(sql.Identifier(column))
            parts.append(
                sql.SQL(
                    "SELECT {}, v, count(*) FROM (SELECT {} AS v FROM hits) f GROUP BY v"
                ).format(sql.Literal(facet), value)
            )
        statement = sql.SQL("WITH hits AS MATERIALIZED ({}) {}").format(
            hits, sql.SQL(" UNION ALL ").join(parts)
        )
        counts: dict[str, list[tuple[str, int]]] = {facet: [] for facet in query.facets}
        total = 0
        for facet, value, number in conn.execute(statement, params).fetchall():
            if facet == "":
                total = int(number)
            elif value:
                counts[facet].append((value, int(number)))
        facets: dict[str, tuple[tuple[str, int], ...]] = {}
        for facet, values in counts.items():
            ordered = sorted(values, key=lambda c: (-c[1], c[0]))
            facets[facet] = tuple(
                ordered if query.facet_limit < 0 else ordered[: query.facet_limit]
            )
        return total, facets

    def _suggest(self, conn: psycopg.Connection[Any], text: QueryText) -> str | None:
        terms = self._table("terms")
        known = {
            row[0]
            for row in conn.execute(
                sql.SQL("SELECT term FROM {} WHERE term = ANY(%s)").format(terms),
                (list(text.folded),),
            )
        }
        if all(w in known for w in text.folded):
            return None
        candidates_sql = sql.SQL(
            "SELECT term FROM {} WHERE left(term, 1) = left(%s, 1) "
            "AND length(term) BETWEEN length(%s) - 2 AND length(%s) + 2"
        ).format(terms)

        def candidates(word: str) -> list[tuple[str, int]]:
            return [(r[0], 0) for r in conn.execute(candidates_sql, (word, word, word))]

        return suggest_words(text.typed, text.folded, known.__contains__, candidates)


def _one(row: tuple[Any, ...] | None) -> Any:
    if row is None:
        raise SearchUnavailable("the search database returned no row")
    return row[0]


def _browse(sort: SortOrder) -> SortOrder:
    return SortOrder.MODIFIED if sort is SortOrder.RELEVANCE else sort


def _conditions(text: QueryText, query: SearchQuery) -> tuple[sql.Composable, list[Any]]:
    """Return the WHERE clause selecting every hit, and its parameters."""
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: list[Any] = []
    if text:
        clauses.append(sql.SQL("tsv @@ %s::tsquery"))
        params.append(" & ".join(quote_lexeme(w) for w in text.folded))
    for facets, negate in ((query.filters, False), (query.exclude, True)):
        for facet, values in facets.items():
            column, is_array = FACET_COLUMNS[facet]
            for value in values:
                test = "{} @> ARRAY[%s]::text[]" if is_array else "{} = %s"
                clause = sql.SQL(test).format(sql.Identifier(column))
                clauses.append(sql.SQL("NOT ({})").format(clause) if negate else clause)
                params.append(nfc(value))
    if query.modified_from is not None:
        clauses.append(sql.SQL("modified >= %s"))
        params.append(_aware(query.modified_from))
    if query.modified_to is not None:
        clauses.append(sql.SQL("modified <= %s"))
        params.append(_aware(query.modified_to))
    return sql.SQL(" AND ").join(clauses), params


def _aware(moment: Any) -> Any:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rank(text: QueryText) -> tuple[sql.Composable, list[Any]]:
    """Return the relevance expression: weighted word matches plus phrase bonuses."""
    if not text:
        return sql.SQL("0.0"), []
    words = {quote_lexeme(w) for w in (*text.folded, *text.accented)}
    parts = [sql.SQL("ts_rank('{0.1, 0.2, 0.4, 1.0}', tsv, %s::tsquery)")]
    params: list[Any] = [" | ".join(sorted(words))]
    if len(text.folded) > 1:
        parts.append(sql.SQL("(CASE WHEN tsv @@ %s::tsquery THEN 0.8 ELSE 0 END)"))
        params.append(phrase_query(text.folded, "AB"))
        parts.append(sql.SQL("(CASE WHEN tsv @@ %s::tsquery THEN 0.3 ELSE 0 END)"))
        params.append(phrase_query(text.folded, ""))
    return sql.SQL(" + ").join(parts), params


def _order(sort: SortOrder) -> sql.Composable:
    orders = {
        SortOrder.RELEVANCE: "score DESC, title_words, popularity DESC, id",
        SortOrder.MODIFIED: "modified DESC, id",
        SortOrder.TITLE: "title_sort, id",
        SortOrder.POPULARITY: "popularity DESC, modified DESC, id",
        SortOrder.ID: "id",
    }
    return sql.SQL(orders[sort])


def _hit(row: tuple[Any, ...], text: QueryText, highlight: bool) -> SearchHit:
    doc_id, name, title_vi, title_en, desc_vi, desc_en, score = row
    snippets: dict[str, str] = {}
    if highlight and text:
        snippets = highlight_fields(
            {"title": (title_vi, title_en), "description": (desc_vi, desc_en)}, set(text.folded)
        )
    return SearchHit(
        id=doc_id, name=name, score=round(float(score), 4), highlights=snippets, title=title_vi
    )
