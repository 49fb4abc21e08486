"""Real-world harvest inputs in ../shared/conformance/harvest parse without loss.

Expected counts are those listed in that folder's README; the "no loss" checks compare
our records with the raw rdflib graph of each file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCAT, DCTERMS, RDF

from metadata import MetadataParseError, datasets_from_datajson, datasets_from_dcat
from metadata.rdf_input import load_rdf

# file -> (rdflib format, datasets, distributions) per the harvest README's table.
DCAT_FILES: dict[str, tuple[str, int | None, int | None]] = {
    "catalog.rdf": ("xml", 2, 5),
    "catalog_datasets_list.rdf": ("xml", 2, 5),
    "catalog_pod.jsonld": ("json-ld", 1, 4),
    "catalog_with_at_graph.jsonld": ("json-ld", 1, 1),
    "dataset.rdf": ("xml", 1, None),
    "dataset_gov_de.rdf": ("xml", 1, 9),
    "dataset_sweden.rdf": ("xml", 1, 1),
    "dataset_afs.ttl": ("turtle", 1, 2),
    "dataset_deri.ttl": ("turtle", 1, 1),
    "dataset_gob_es.ttl": ("turtle", 1, None),
    "dataset_health.ttl": ("turtle", 1, None),
    "dataset_health_multilingual.ttl": ("turtle", 1, None),
    "dataset_health_no_blank.ttl": ("turtle", 1, None),
    "dataset_multilingual.ttl": ("turtle", 1, None),
    "dataset.fixed.ttl": ("turtle", None, None),
}


@pytest.fixture
def dcat_dir(conformance: Callable[..., Path]) -> Path:
    return conformance("harvest", "dcat-rdf", "ckanext-dcat")


@pytest.fixture
def datajson_dir(conformance: Callable[..., Path]) -> Path:
    return conformance("harvest", "datajson", "gsa-ckanext-datajson")


def test_every_dcat_fixture_is_covered(dcat_dir: Path) -> None:
    assert {p.name for p in dcat_dir.iterdir() if p.is_file()} - {"README.md"} == set(DCAT_FILES)


@pytest.mark.parametrize("name", sorted(DCAT_FILES))
def test_dcat_fixture_parses_without_losing_text_or_urls(dcat_dir: Path, name: str) -> None:
    fmt, dataset_count, distribution_count = DCAT_FILES[name]
    data = (dcat_dir / name).read_bytes()
    records = datasets_from_dcat(data, fmt, None)
    assert datasets_from_dcat(data, None, None) == records  # format guessed alike
    if dataset_count is not None:
        assert len(records) == dataset_count
    if distribution_count is not None:
        assert sum(len(r.distributions) for r in records) == distribution_count
    graph = load_rdf(data, fmt, None)
    by_uri = {r.uri: r for r in records}
    for node in graph.subjects(RDF.type, DCAT.Dataset):
        record = by_uri[str(node)]
        assert record.title, name
        titles = {str(t).strip() for t in graph.objects(node, DCTERMS.title)}
        assert record.title in titles
        assert set(record.title_translations.values()) <= titles
        descriptions = {str(d).strip() for d in graph.objects(node, DCTERMS.description)}
        assert not descriptions or record.description in descriptions
        assert set(record.keywords) == {
            str(k).strip() for k in graph.objects(node, DCAT.keyword)
        } - {""}
        urls = {
            str(u)
            for dist in graph.objects(node, DCAT.distribution)
            for prop in (DCAT.accessURL, DCAT.downloadURL)
            for u in graph.objects(dist, prop)
        }
        found = {
            u for d in record.distributions for u in (d.access_url, d.download_url) if u is not None
        }
        assert found == urls


def test_multilingual_dataset_keeps_every_translation(dcat_dir: Path) -> None:
    [record] = datasets_from_dcat((dcat_dir / "dataset_multilingual.ttl").read_bytes(), None, None)
    graph = load_rdf((dcat_dir / "dataset_multilingual.ttl").read_bytes(), "turtle", None)
    languages = {
        t.language
        for t in graph.objects(None, DCTERMS.title)
        if isinstance(t, Literal) and t.language
    }
    assert languages
    assert languages <= set(record.title_translations)


def test_known_values_of_ckanext_dcat_catalog(dcat_dir: Path) -> None:
    records = datasets_from_dcat((dcat_dir / "catalog.rdf").read_bytes(), "xml", None)
    assert [r.title for r in records] == ["Example dataset 1", "Example dataset 2"]
    assert records[0].keywords == ("pollution", "stats")
    assert records[0].contact_email == "contact@some.org"
    downloads = {d.download_url for d in records[0].distributions}
    assert "https://data.some.org/the/actual/catalog/datasets/1/resources/1.csv" in downloads


def test_legacy_dcat_draft_record_is_read(dcat_dir: Path) -> None:
    [record] = datasets_from_dcat((dcat_dir / "dataset_deri.ttl").read_bytes(), "turtle", None)
    assert record.title == "Abandoned Vehicles"
    assert record.issued is None  # "06/05/2009" is not ISO 8601: dropped, not guessed
    [dist] = record.distributions
    assert dist.access_url == (
        "http://data.london.gov.uk/datafiles/environment/abandoned-vehicles-borough.csv"
    )
    assert dist.media_type == "text/plain"


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        (("harvest", "dcat-rdf", "ckanext-dcat", "upstream-syntax-errors"), "dataset.ttl"),
        (
            ("dcat-ap", "3.0.1", "examples", "upstream-syntax-errors"),
            "example-bee-population-dataset-series-api.ttl",
        ),
        (
            ("dcat-ap", "3.0.1", "examples", "upstream-syntax-errors"),
            "example-bee-population-dataset-series-combined.ttl",
        ),
        (
            ("dcat-ap", "3.0.0-hvd", "examples", "upstream-syntax-errors"),
            "example-bees_wasps_dataset.ttl",
        ),
    ],
)
def test_upstream_files_with_broken_syntax_raise_a_parse_error(
    conformance: Callable[..., Path], folder: tuple[str, ...], name: str
) -> None:
    data = (conformance(*folder) / name).read_bytes()
    with pytest.raises(MetadataParseError, match="turtle document"):
        datasets_from_dcat(data, "turtle", None)


def test_broken_upstream_ckanext_file_names_the_unbound_prefix(
    conformance: Callable[..., Path],
) -> None:
    folder = conformance("harvest", "dcat-rdf", "ckanext-dcat", "upstream-syntax-errors")
    with pytest.raises(MetadataParseError, match="healthdcatap"):
        datasets_from_dcat((folder / "dataset.ttl").read_bytes(), None, None)


# data.json harvest inputs: file -> number of dataset objects.
DATAJSON_FILES: dict[str, int] = {
    "arm.data.json": 3,
    "collection-1-parent-2-children.data.json": 3,
    "collection-2-parent-4-children.data.json": 6,
    "geospatial.data.json": -1,
    "large-spatial.data.json": 1,
    "many-resources.data.json": 1,
    "null-spatial.data.json": -1,
    "reserved-title.data.json": -1,
    "usda.gov.data.json": 3,
    "ny.data.json": -1,
    "numerical-title.data.json": -1,
    "missing-identifier-title.data.json": -1,
    "missing-dataset-fields.data.json": -1,
    "missing-catalog.data.json": -1,
}


def test_every_datajson_fixture_is_covered(datajson_dir: Path) -> None:
    assert {p.name for p in datajson_dir.iterdir() if p.is_file()} == set(DATAJSON_FILES)


@pytest.mark.parametrize("name", sorted(DATAJSON_FILES))
def test_datajson_fixture_parses_without_losing_text_or_urls(datajson_dir: Path, name: str) -> None:
    doc = json.loads((datajson_dir / name).read_text(encoding="utf-8"))
    records = datasets_from_datajson(doc)
    raw = [d for d in doc["dataset"] if isinstance(d, dict)]
    assert len(records) == len(raw)
    if DATAJSON_FILES[name] >= 0:
        assert len(records) == DATAJSON_FILES[name]
    for entry, record in zip(raw, records, strict=True):
        assert record.title == str(entry.get("title", "")).strip()
        assert record.description == str(entry.get("description", "")).strip()
        assert set(record.keywords) == {k.strip() for k in entry.get("keyword", [])}
        urls = {
            d.get(key)
            for d in entry.get("distribution") or []
            for key in ("accessURL", "downloadURL")
        } - {None}
        found = {u for d in record.distributions for u in (d.access_url, d.download_url)} - {None}
        assert found == urls


def test_datajson_edge_cases(datajson_dir: Path) -> None:
    def read(name: str) -> list[object]:
        doc = json.loads((datajson_dir / name).read_text(encoding="utf-8"))
        return list(datasets_from_datajson(doc))

    [numeric] = read("numerical-title.data.json")
    assert isinstance(numeric.title, str) and numeric.title
    [many] = read("many-resources.data.json")
    assert len(many.distributions) == 11
    [reserved] = read("reserved-title.data.json")
    assert reserved.title == "Search"
    [null_spatial] = read("null-spatial.data.json")
    assert null_spatial.spatial == ""


@pytest.mark.parametrize("doc", [[], "catalog", {"dataset": {}}, {"title": "no datasets"}])
def test_datajson_that_is_not_a_catalog_raises_a_parse_error(doc: object) -> None:
    with pytest.raises(MetadataParseError, match=r"data\.json"):
        datasets_from_datajson(doc)
