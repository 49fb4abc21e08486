"""One behavioural contract for every ``SearchIndex`` backend (Whoosh and PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from search_index import (
    SearchConfigError,
    SearchDocument,
    SearchIndex,
    SearchQuery,
    SearchUnavailable,
    SortOrder,
    open_search_index,
    vn_fold,
)

BACKENDS = ["whoosh", pytest.param("postgresql", marks=pytest.mark.postgres)]


def index_url_for(backend: str, tmp_path: Path) -> str:
    if backend == "whoosh":
        return f"whoosh://{tmp_path / 'index'}"
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL search tests need TEST_DATABASE_URL")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}schema=test_search_{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=BACKENDS)
def index_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = index_url_for(request.param, tmp_path)
    yield url
    if request.param == "postgresql":
        cleanup = open_search_index(url)
        cleanup.drop()
        cleanup.close()


@pytest.fixture
def search_index(index_url: str) -> Iterator[SearchIndex]:
    index = open_search_index(index_url)
    yield index
    index.close()


_counter = iter(range(1, 1_000_000))


def make_document(title: str, **overrides: Any) -> SearchDocument:
    number = next(_counter)
    fields: dict[str, Any] = {
        "id": f"id-{number}",
        "name": f"dataset-{number}",
        "title_vi": title,
        "title_en": "",
        "description_vi": "",
        "description_en": "",
        "organization": "so-y-te",
        "organization_title": "Sở Y tế",
        "tags": (),
        "themes": (),
        "res_formats": ("CSV",),
        "license_id": "cc-by-4.0",
        "created": datetime(2024, 1, 1, tzinfo=UTC),
        "modified": datetime(2024, 1, 1, tzinfo=UTC),
        "popularity": 0,
    }
    fields.update(overrides)
    return SearchDocument(**fields)


def titles(index: SearchIndex, query: SearchQuery) -> list[str]:
    return [hit.title for hit in index.search(query).hits]


def test_unaccented_query_finds_vietnamese_title(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Giao thông công cộng"), make_document("Bệnh viện")])
    assert titles(search_index, SearchQuery(text="giao thong")) == ["Giao thông công cộng"]


def test_d_with_stroke_folds_to_d(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Đường phố Quận 1"), make_document("Dân số")])
    assert titles(search_index, SearchQuery(text="duong")) == ["Đường phố Quận 1"]
    assert titles(search_index, SearchQuery(text="DUONG PHO")) == ["Đường phố Quận 1"]


def test_hoa_finds_both_tone_placements(search_index: SearchIndex) -> None:
    search_index.upsert(
        [make_document("Phường Hòa Bình"), make_document("Khánh Hoà"), make_document("Chợ hoa")]
    )
    assert len(titles(search_index, SearchQuery(text="hoa"))) == 3
    # Old and new tone placement are the same word, and rank above the plain "hoa".
    assert titles(search_index, SearchQuery(text="hòa"))[2] == "Chợ hoa"
    assert titles(search_index, SearchQuery(text="hoà"))[2] == "Chợ hoa"


def test_exact_accented_match_ranks_above_folded_match(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Bản đồ hoa"), make_document("Bản đồ hòa")])
    assert titles(search_index, SearchQuery(text="hòa")) == ["Bản đồ hòa", "Bản đồ hoa"]
    assert titles(search_index, SearchQuery(text="hoa"))[0] == "Bản đồ hoa"


def test_phrase_ranks_above_scattered_words(search_index: SearchIndex) -> None:
    search_index.upsert(
        [make_document("Thông tin giao dịch đất đai"), make_document("Dữ liệu giao thông")]
    )
    for text in ("giao thông", "giao thong"):
        assert titles(search_index, SearchQuery(text=text)) == [
            "Dữ liệu giao thông",
            "Thông tin giao dịch đất đai",
        ]


def test_every_word_must_match(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Xe buýt Quận 1"), make_document("Xe buýt Quận 7")])
    assert titles(search_index, SearchQuery(text="xe buyt 7")) == ["Xe buýt Quận 7"]
    assert titles(search_index, SearchQuery(text="xe buyt metro")) == []


def test_title_and_description_match_in_both_languages(search_index: SearchIndex) -> None:
    search_index.upsert(
        [
            make_document("Bệnh viện", title_en="Hospitals"),
            make_document("Trường học", description_en="Schools near hospitals"),
        ]
    )
    assert titles(search_index, SearchQuery(text="hospitals")) == ["Bệnh viện", "Trường học"]


def test_no_stop_words_and_one_letter_words(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Tỉnh An Giang"), make_document("Góp ý dự thảo")])
    assert titles(search_index, SearchQuery(text="an")) == ["Tỉnh An Giang"]
    assert titles(search_index, SearchQuery(text="y")) == ["Góp ý dự thảo"]


def test_decomposed_input_is_normalized(search_index: SearchIndex) -> None:
    import unicodedata

    search_index.upsert([make_document(unicodedata.normalize("NFD", "Hòa Bình"))])
    query = SearchQuery(text=unicodedata.normalize("NFD", "hòa bình"))
    assert titles(search_index, query) == ["Hòa Bình"]


def test_facets_count_every_hit_not_only_the_page(search_index: SearchIndex) -> None:
    docs = [
        make_document(
            f"Dữ liệu {i}",
            organization="so-y-te" if i % 3 else "so-gtvt",
            tags=("y tế", f"t{i % 2}"),
            themes=("health",),
            res_formats=("CSV", "XLSX") if i % 2 else ("PDF",),
            license_id="cc0-1.0" if i < 5 else "cc-by-4.0",
        )
        for i in range(30)
    ]
    search_index.replace_all(docs)
    page = search_index.search(SearchQuery(text="dữ liệu", limit=5))
    assert page.total == 30
    assert len(page.hits) == 5
    assert page.facets["organization"] == (("so-y-te", 20), ("so-gtvt", 10))
    assert page.facets["tags"] == (("y tế", 30), ("t0", 15), ("t1", 15))
    assert page.facets["res_format"] == (("CSV", 15), ("PDF", 15), ("XLSX", 15))
    assert page.facets["license_id"] == (("cc-by-4.0", 25), ("cc0-1.0", 5))
    assert page.facets["theme"] == (("health", 30),)
    limited = search_index.search(SearchQuery(facets=("tags",), facet_limit=1))
    assert limited.facets == {"tags": (("y tế", 30),)}


def test_filters_combine_with_and(search_index: SearchIndex) -> None:
    search_index.upsert(
        [
            make_document("A", organization="so-y-te", tags=("x", "y")),
            make_document("B", organization="so-y-te", tags=("x",)),
            make_document("C", organization="so-gtvt", tags=("x", "y")),
        ]
    )
    query = SearchQuery(filters={"organization": ("so-y-te",), "tags": ("x", "y")})
    assert titles(search_index, query) == ["A"]
    assert search_index.search(query).facets["organization"] == (("so-y-te", 1),)


def test_exclude_removes_matching_documents(search_index: SearchIndex) -> None:
    search_index.upsert(
        [
            make_document("Dữ liệu A", res_formats=("CSV",)),
            make_document("Dữ liệu B", res_formats=("PDF",)),
            make_document("Dữ liệu C", res_formats=("PDF", "CSV")),
        ]
    )
    query = SearchQuery(text="du lieu", exclude={"res_format": ("PDF",)}, sort=SortOrder.TITLE)
    assert titles(search_index, query) == ["Dữ liệu A"]


def test_modified_range_is_inclusive(search_index: SearchIndex) -> None:
    search_index.upsert(
        [
            make_document(f"Tháng {m}", modified=datetime(2024, m, 1, tzinfo=UTC))
            for m in range(1, 7)
        ]
    )
    query = SearchQuery(
        modified_from=datetime(2024, 2, 1, tzinfo=UTC),
        modified_to=datetime(2024, 4, 1, tzinfo=UTC),
        sort=SortOrder.TITLE,
    )
    assert titles(search_index, query) == ["Tháng 2", "Tháng 3", "Tháng 4"]


def test_sort_orders(search_index: SearchIndex) -> None:
    search_index.upsert(
        [
            make_document("Bản đồ", modified=datetime(2024, 3, 1, tzinfo=UTC), popularity=5),
            make_document("Ảnh vệ tinh", modified=datetime(2024, 1, 1, tzinfo=UTC), popularity=50),
            make_document("Chợ", modified=datetime(2024, 2, 1, tzinfo=UTC), popularity=1),
        ]
    )
    expected = {
        SortOrder.MODIFIED: ["Bản đồ", "Chợ", "Ảnh vệ tinh"],
        SortOrder.TITLE: ["Ảnh vệ tinh", "Bản đồ", "Chợ"],
        SortOrder.POPULARITY: ["Ảnh vệ tinh", "Bản đồ", "Chợ"],
        SortOrder.RELEVANCE: ["Bản đồ", "Chợ", "Ảnh vệ tinh"],  # no words: newest first
    }
    for sort, order in expected.items():
        assert titles(search_index, SearchQuery(sort=sort)) == order, sort
    by_id = search_index.search(SearchQuery(sort=SortOrder.ID)).hits
    assert [hit.id for hit in by_id] == sorted(hit.id for hit in by_id)


def test_pagination_covers_every_hit_once(search_index: SearchIndex) -> None:
    search_index.replace_all(
        [make_document(f"Trạm quan trắc {i:02d}", popularity=i) for i in range(25)]
    )
    seen: list[str] = []
    for offset in range(0, 30, 10):
        page = search_index.search(SearchQuery(text="tram", offset=offset, limit=10))
        assert page.total == 25
        seen.extend(hit.id for hit in page.hits)
    assert len(seen) == 25 == len(set(seen))
    assert search_index.search(SearchQuery(text="tram", offset=100)).hits == ()


def test_highlights_mark_matches_and_escape_html(search_index: SearchIndex) -> None:
    search_index.upsert(
        [
            make_document(
                "Giao thông <b>công cộng</b>",
                description_vi="Tuyến xe buýt & giao thông " + "dài " * 200 + "cuối",
            )
        ]
    )
    hit = search_index.search(SearchQuery(text="giao thong", highlight=True)).hits[0]
    assert hit.highlights["title"] == (
        "<mark>Giao</mark> <mark>thông</mark> &lt;b&gt;công cộng&lt;/b&gt;"
    )
    assert (
        "Tuyến xe buýt &amp; <mark>giao</mark> <mark>thông</mark>" in hit.highlights["description"]
    )
    assert len(hit.highlights["description"]) < 400
    plain = search_index.search(SearchQuery(text="giao thong")).hits[0]
    assert plain.highlights == {}


def test_suggestion_for_a_misspelled_word(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Dữ liệu giao thông"), make_document("Giao thông")])
    page = search_index.search(SearchQuery(text="giao thnog"))
    assert page.total == 0
    assert page.suggestion is not None
    assert vn_fold(page.suggestion) == "giao thong"
    assert search_index.search(SearchQuery(text="giao thong")).suggestion is None


def test_delete_removes_documents_and_ignores_unknown_ids(search_index: SearchIndex) -> None:
    keep, drop = make_document("Công viên"), make_document("Công viên nước")
    search_index.upsert([keep, drop])
    search_index.delete([drop.id, "no-such-id"])
    assert titles(search_index, SearchQuery(text="cong vien")) == ["Công viên"]
    assert search_index.count() == 1
    assert search_index.search(SearchQuery()).facets["organization"] == (("so-y-te", 1),)


def test_replace_all_replaces_everything(search_index: SearchIndex) -> None:
    search_index.upsert([make_document("Cũ")])
    assert search_index.replace_all([make_document("Mới 1"), make_document("Mới 2")]) == 2
    assert search_index.count() == 2
    assert titles(search_index, SearchQuery(text="cu")) == []
    assert search_index.replace_all([]) == 0
    assert search_index.count() == 0


def test_upsert_replaces_a_document_by_id(search_index: SearchIndex) -> None:
    original = make_document("Chất lượng không khí", tags=("khong khi",))
    search_index.upsert([original])
    changed = make_document("Chất lượng nước", id=original.id, tags=("nuoc",))
    search_index.upsert([changed])
    assert search_index.count() == 1
    assert titles(search_index, SearchQuery(text="khong khi")) == []
    page = search_index.search(SearchQuery(text="nuoc"))
    assert [(h.id, h.name, h.title) for h in page.hits] == [
        (original.id, changed.name, "Chất lượng nước")
    ]
    assert page.facets["tags"] == (("nuoc", 1),)


def test_another_instance_sees_writes(index_url: str, search_index: SearchIndex) -> None:
    other = open_search_index(index_url)
    try:
        assert other.search(SearchQuery()).total == 0
        search_index.upsert([make_document("Thư viện")])
        assert [h.title for h in other.search(SearchQuery(text="thu vien")).hits] == ["Thư viện"]
        search_index.delete([other.search(SearchQuery()).hits[0].id])
        assert other.search(SearchQuery(text="thu vien")).total == 0
    finally:
        other.close()


def test_count_and_ping(search_index: SearchIndex) -> None:
    search_index.ping()
    assert search_index.count() == 0
    search_index.upsert([make_document("Một"), make_document("Hai")])
    assert search_index.count() == 2


def test_unknown_scheme_is_named_without_the_url() -> None:
    with pytest.raises(SearchConfigError) as caught:
        open_search_index("solr://admin:secret@localhost/solr")
    assert "'solr'" in str(caught.value)
    assert "secret" not in str(caught.value)


def _damage(index: Any, url: str) -> None:
    """Damage the index as disks and operators do: garbled segment files (Whoosh), a
    dropped column (PostgreSQL: ``SELECT 1`` still works, a real query does not)."""
    if url.startswith("whoosh"):
        for f in Path(index.path).rglob("*.seg"):
            data = bytearray(f.read_bytes())
            for i in range(16, len(data)):  # every byte after the file header
                data[i] ^= 0x5A
            f.write_bytes(bytes(data))
        return
    base = os.environ["TEST_DATABASE_URL"]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{index.schema}".postings DROP COLUMN bits')


def test_damage_fails_ping_and_replace_all_repairs_it(
    index_url: str, search_index: SearchIndex
) -> None:
    docs = [make_document("Dữ liệu giao thông công cộng"), make_document("Trường học quận 3")]
    search_index.replace_all(docs)
    other = open_search_index(index_url)  # another process's view of the same index
    try:
        assert titles(other, SearchQuery(text="giao thong")) == ["Dữ liệu giao thông công cộng"]
        _damage(search_index, index_url)
        for view in (search_index, other):
            with pytest.raises(SearchUnavailable):
                view.ping()
            with pytest.raises(SearchUnavailable):
                view.search(SearchQuery(text="truong hoc"))
        assert search_index.replace_all(docs) == 2
        for view in (search_index, other):
            view.ping()
            assert titles(view, SearchQuery(text="truong hoc")) == ["Trường học quận 3"]
    finally:
        other.close()


def test_access_level_is_a_facet_and_a_filter(search_index: SearchIndex) -> None:
    levels = ["public", "public", "registered", "agencies", "restricted", "restricted"]
    docs = [
        make_document(f"Dữ liệu dân cư {i}", access_level=level, res_formats=())
        for i, level in enumerate(levels)
    ]
    search_index.replace_all([*docs, make_document("Dữ liệu mở")])  # the default: public
    page = search_index.search(SearchQuery(text="du lieu"))
    assert page.facets["access_level"] == (
        ("public", 3),
        ("restricted", 2),
        ("agencies", 1),
        ("registered", 1),
    )
    restricted = SearchQuery(filters={"access_level": ("restricted",)}, sort=SortOrder.TITLE)
    assert titles(search_index, restricted) == ["Dữ liệu dân cư 4", "Dữ liệu dân cư 5"]
    assert search_index.search(restricted).facets["access_level"] == (("restricted", 2),)
    open_only = SearchQuery(text="dan cu", exclude={"access_level": ("public",)})
    assert search_index.search(open_only).total == 4
    assert titles(search_index, SearchQuery(filters={"access_level": ("catalog-only",)})) == []


def test_datasets_that_are_not_public_are_found_by_their_metadata(
    search_index: SearchIndex,
) -> None:
    search_index.upsert(
        [
            make_document(
                "Cơ sở dữ liệu doanh nghiệp",
                description_vi="Đăng ký kinh doanh của doanh nghiệp trên địa bàn",
                organization="so-ke-hoach-dau-tu",
                access_level="restricted",
                res_formats=(),
            ),
            make_document("Bệnh viện công lập"),
        ]
    )
    for query in (
        SearchQuery(text="doanh nghiep"),
        SearchQuery(text="dang ky kinh doanh"),
        SearchQuery(filters={"organization": ("so-ke-hoach-dau-tu",)}),
    ):
        assert titles(search_index, query) == ["Cơ sở dữ liệu doanh nghiệp"]


# What an older version lacked: Whoosh fields and the PostgreSQL column holding their source.
_OLDER_VERSIONS = {
    "access_level": (("access_level",), "access_level"),
    # Before keyword and organization phrases ranked (issue 21).
    "phrases": (("kw", "kw_bi", "org_bi"), "organization_title"),
}


def _make_outdated(index: Any, url: str, missing: str) -> None:
    """Leave the index as a version without the ``missing`` fields built it."""
    fields, column = _OLDER_VERSIONS[missing]
    if url.startswith("whoosh"):
        from whoosh import index as whoosh_index

        from search_index.whoosh import INDEX_NAME
        from search_index.whoosh_fields import build_schema

        schema = build_schema()
        for field in fields:
            schema.remove(field)
        shutil.rmtree(index.path)
        index.path.mkdir()
        writer = whoosh_index.create_in(index.path, schema, INDEX_NAME).writer()
        writer.add_document(id="old-1", name="cu", title_vi="Dữ liệu cũ", title_f="Dữ liệu cũ")
        writer.commit()
        return
    with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{index.schema}".documents DROP COLUMN {column}')


@pytest.mark.parametrize("missing", sorted(_OLDER_VERSIONS))
def test_an_index_built_without_a_field_is_outdated_until_rebuilt(
    index_url: str, search_index: SearchIndex, missing: str
) -> None:
    search_index.upsert([make_document("Dữ liệu cũ")])
    assert search_index.outdated() is False
    _make_outdated(search_index, index_url, missing)
    reopened = open_search_index(index_url)  # as start-up opens it after an upgrade
    try:
        assert reopened.outdated() is True
        assert titles(reopened, SearchQuery(text="du lieu", facets=())) == ["Dữ liệu cũ"]
        with pytest.raises(SearchUnavailable, match="opendata index rebuild"):
            reopened.upsert([make_document("Dữ liệu mới")])
        docs = [make_document("Dữ liệu mới", access_level="agencies")]
        assert reopened.replace_all(docs) == 1
        assert reopened.outdated() is False
        query = SearchQuery(filters={"access_level": ("agencies",)})
        assert titles(reopened, query) == ["Dữ liệu mới"]
        reopened.upsert([make_document("Dữ liệu thêm")])
        assert reopened.count() == 2
    finally:
        reopened.close()


def test_overdue_is_computed_at_query_time_from_frequency_and_modified(
    search_index: SearchIndex,
) -> None:
    published = datetime(2024, 1, 1, tzinfo=UTC)
    search_index.upsert(
        [
            make_document("Hằng tháng", frequency="MONTHLY", modified=published),
            make_document("Hằng năm", frequency="ANNUAL", modified=published),
            make_document("Không định kỳ", frequency="IRREG", modified=published),
            make_document("Không rõ", modified=published),
        ]
    )
    # Monthly: 30 days + 3 days of grace; the same index answers differently as time passes.
    on_time = SearchQuery(overdue_at=datetime(2024, 2, 3, tzinfo=UTC), facets=())
    assert titles(search_index, on_time) == []
    late = SearchQuery(overdue_at=datetime(2024, 2, 3, 0, 0, 1, tzinfo=UTC), facets=())
    assert titles(search_index, late) == ["Hằng tháng"]
    years_later = SearchQuery(
        overdue_at=datetime(2026, 1, 1, tzinfo=UTC), sort=SortOrder.TITLE, facets=()
    )
    assert titles(search_index, years_later) == ["Hằng năm", "Hằng tháng"]
    page = search_index.search(SearchQuery(filters={"frequency": ("ANNUAL",)}))
    assert [hit.title for hit in page.hits] == ["Hằng năm"]
    assert dict(page.facets["frequency"]) == {"ANNUAL": 1}
