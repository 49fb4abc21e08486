"""Every metadata document states the access level the same way (issue 18).

DCAT-AP ``dct:accessRights`` (EU access-right table) with a documentation page holding the
access instructions, data.json ``accessLevel``/``rights``, schema.org
``isAccessibleForFree``/``conditionsOfAccess`` and datapackage.json ``access_level``. A dataset
that is not public lists no distribution, download URL, size, checksum or schema, and every
document stays valid with zero distributions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import frictionless
import pyshacl
import pytest
from jsonschema import Draft4Validator
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from datasets.access import ACCESS_LEVELS
from datasets.public import PublicDataset, PublicTheme
from metadata import (
    CatalogInfo,
    SiteUrls,
    catalog_to_datajson,
    catalog_to_graph,
    dataset_to_datapackage,
    dataset_to_graph,
    dataset_to_schemaorg,
    serialize_graph,
)
from tests.metadata.conftest import make_dataset

EU = "http://publications.europa.eu/resource/authority/access-right/"
INSTRUCTIONS = "Gửi công văn tới Sở Giao thông Vận tải, phòng Dữ liệu, kèm mục đích sử dụng."

# level → (EU access right, data.json accessLevel, the level's sentence that starts `rights`)
EXPECTED = {
    "public": (EU + "PUBLIC", "public", None),
    "registered": (
        EU + "RESTRICTED",
        "restricted public",
        "Dữ liệu dành cho tài khoản đã đăng ký trên Cổng dữ liệu: đăng nhập để truy cập.",
    ),
    "agencies": (
        EU + "RESTRICTED",
        "restricted public",
        "Dữ liệu chia sẻ giữa các cơ quan: chỉ cán bộ của các cơ quan trên Cổng được truy cập.",
    ),
    "restricted": (
        EU + "RESTRICTED",
        "restricted public",
        "Dữ liệu hạn chế: chỉ tổ chức, cá nhân được cấp quyền mới được truy cập; "
        "gửi yêu cầu truy cập trên trang của bộ dữ liệu.",
    ),
    "catalog-only": (
        EU + "NON_PUBLIC",
        "non-public",
        "Dữ liệu không cung cấp qua Cổng: chỉ công bố thông tin mô tả.",
    ),
}
NON_PUBLIC = [level for level in ACCESS_LEVELS if level != "public"]


def record(
    level: str, *, with_files: bool = False, instructions: str = INSTRUCTIONS
) -> PublicDataset:
    """The catalog record at ``level``: no resources unless public (or ``with_files``)."""
    full = make_dataset(access_level=level, access_instructions=instructions)
    if level == "public" or with_files:
        return full
    return make_dataset(
        id=f"d-{level}",
        name=f"xe-buyt-{level}",
        access_level=level,
        access_instructions=instructions,
        resources=(),
    )


def test_the_table_covers_every_level() -> None:
    assert set(EXPECTED) == set(ACCESS_LEVELS)


@pytest.mark.parametrize("level", ACCESS_LEVELS)
def test_dcat_access_rights_per_level(
    level: str, urls: SiteUrls, themes: dict[str, PublicTheme]
) -> None:
    dataset = record(level)
    graph = dataset_to_graph(dataset, urls, themes)
    node = URIRef(urls.dataset_uri(dataset.id))
    right = URIRef(EXPECTED[level][0])
    assert list(graph.objects(node, DCTERMS.accessRights)) == [right]
    assert (right, RDF.type, DCTERMS.RightsStatement) in graph
    assert (right, SKOS.inScheme, URIRef(EU.rstrip("/"))) in graph
    pages = list(graph.objects(node, FOAF.page))
    if level == "public":
        assert pages == []
        assert len(list(graph.objects(node, DCAT.distribution))) == 3
        return
    assert pages == [URIRef(urls.landing_page(dataset.name) + "#access")]
    [page] = pages
    assert (page, RDF.type, FOAF.Document) in graph
    descriptions = set(graph.objects(page, DCTERMS.description))
    assert descriptions == {
        Literal(f"{EXPECTED[level][2]} {INSTRUCTIONS}", lang="vi"),
        Literal(dict(_english())[level], lang="en"),
    }
    assert list(graph.objects(node, DCAT.distribution)) == []


def _english() -> list[tuple[str, str]]:
    from metadata.access import ACCESS_STATEMENTS

    return [(level, en) for level, (_vi, en) in ACCESS_STATEMENTS.items()]


@pytest.mark.parametrize("level", NON_PUBLIC)
def test_no_document_names_a_file_of_a_dataset_that_is_not_public(
    level: str, catalog_info: CatalogInfo, urls: SiteUrls, themes: dict[str, PublicTheme]
) -> None:
    """Even handed a view that carries files (a reader's), no public document lists them."""
    dataset = record(level, with_files=True)
    files = dataset.resources
    texts = [
        serialize_graph(dataset_to_graph(dataset, urls, themes), "ttl").decode(),
        json.dumps(catalog_to_datajson(catalog_info, [dataset], urls, themes)),
        json.dumps(dataset_to_schemaorg(dataset, urls), ensure_ascii=False),
        json.dumps(dataset_to_datapackage(dataset, urls), ensure_ascii=False),
    ]
    for text in texts:
        for resource in files:
            assert resource.id not in text
            assert resource.name not in text
            if resource.sha256:
                assert resource.sha256 not in text
            if resource.filename:
                assert resource.filename not in text
        assert "/download/" not in text
        for word in ("byteSize", "downloadURL", "contentUrl", "contentSize", "ma_tuyen", "bytes"):
            assert word not in text


@pytest.mark.parametrize("level", ACCESS_LEVELS)
def test_data_json_access_level_and_rights(
    level: str,
    non_federal_validator: Draft4Validator,
    catalog_info: CatalogInfo,
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    document = catalog_to_datajson(catalog_info, [record(level)], urls, themes)
    errors = [e.message for e in non_federal_validator.iter_errors(document)]
    assert errors == []
    [entry] = document["dataset"]
    assert entry["accessLevel"] == EXPECTED[level][1]
    if level == "public":
        assert "rights" not in entry
        assert len(entry["distribution"]) == 3
    else:
        assert entry["rights"] == f"{EXPECTED[level][2]} {INSTRUCTIONS}"
        assert entry["distribution"] == []


def test_data_json_rights_fit_in_255_characters_and_exist_without_instructions(
    non_federal_validator: Draft4Validator,
    catalog_info: CatalogInfo,
    urls: SiteUrls,
) -> None:
    long = record("restricted", instructions="Liên hệ phòng dữ liệu của Sở. " * 40)
    bare = record("catalog-only", instructions="")
    document = catalog_to_datajson(catalog_info, [long, bare], urls)
    assert [e.message for e in non_federal_validator.iter_errors(document)] == []
    cut, plain = (entry["rights"] for entry in document["dataset"])
    assert len(cut) <= 255 and cut.endswith("…")
    assert cut.startswith(EXPECTED["restricted"][2])
    assert plain == EXPECTED["catalog-only"][2]


@pytest.mark.parametrize("level", ACCESS_LEVELS)
def test_schemaorg_accessible_for_free_and_conditions(level: str, urls: SiteUrls) -> None:
    doc = dataset_to_schemaorg(record(level), urls)
    assert doc["isAccessibleForFree"] is (level == "public")
    if level == "public":
        assert "conditionsOfAccess" not in doc
        assert len(doc["distribution"]) == 3
    else:
        assert doc["conditionsOfAccess"] == f"{EXPECTED[level][2]} {INSTRUCTIONS}"
        assert doc["distribution"] == []


@pytest.mark.parametrize("level", ACCESS_LEVELS)
def test_datapackage_states_the_level_and_stays_valid(level: str, urls: SiteUrls) -> None:
    descriptor = dataset_to_datapackage(record(level), urls)
    assert [e.message for e in frictionless.Package.metadata_validate(descriptor)] == []
    assert descriptor["access_level"] == level
    if level == "public":
        assert "access_conditions" not in descriptor
        assert len(descriptor["resources"]) == 3
    else:
        assert descriptor["access_conditions"] == f"{EXPECTED[level][2]} {INSTRUCTIONS}"
        assert descriptor["resources"] == []


def test_catalog_of_every_level_conforms_to_dcat_ap_with_zero_distributions(
    dcat_ap_shapes: Graph,
    catalog_info: CatalogInfo,
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    datasets = [record(level) for level in ACCESS_LEVELS]
    graph = catalog_to_graph(catalog_info, datasets, urls, themes)
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=dcat_ap_shapes, inference="none")
    assert conforms, text
    for dataset in datasets[1:]:
        single = dataset_to_graph(dataset, urls, themes)
        conforms, _report, text = pyshacl.validate(
            single, shacl_graph=dcat_ap_shapes, inference="none"
        )
        assert conforms, text


def test_access_rights_use_the_eu_vocabulary_as_its_shapes_check(
    conformance: Callable[..., Path],
    catalog_info: CatalogInfo,
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    """DCAT-AP's controlled-vocabulary shapes raise no result on ``dct:accessRights``."""
    shapes = Graph().parse(
        conformance("dcat-ap", "3.0.1", "shacl") / "mdr-vocabularies.shape.ttl", format="turtle"
    )
    graph = catalog_to_graph(catalog_info, [record(level) for level in ACCESS_LEVELS], urls, themes)
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    sh = "http://www.w3.org/ns/shacl#"
    paths = set(report.objects(None, URIRef(sh + "resultPath")))
    assert DCTERMS.accessRights not in paths
    # The same shapes do flag a right outside the EU table: the check is real.
    node = URIRef(urls.dataset_uri(record("registered").id))
    graph.remove((node, DCTERMS.accessRights, None))
    odd = URIRef("https://example.org/rights/members-only")
    graph.add((odd, RDF.type, DCTERMS.RightsStatement))
    graph.add((node, DCTERMS.accessRights, odd))
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert DCTERMS.accessRights in set(report.objects(None, URIRef(sh + "resultPath")))
