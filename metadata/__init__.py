"""Standard metadata with rdflib: DCAT-AP 3, data.json, schema.org, datapackage.json.

Out: ``dataset_to_graph``/``catalog_to_graph`` + ``serialize_graph`` (DCAT-AP 3.0.1),
``catalog_to_datajson`` (DCAT-US 1.1 non-federal), ``dataset_to_schemaorg`` and
``dataset_to_datapackage``. In (for harvesters): ``datasets_from_dcat``/``page_from_dcat``
and ``datasets_from_datajson``. Every URL comes from ``SiteUrls``.
"""

from metadata.datajson import catalog_to_datajson, datasets_from_datajson
from metadata.datapackage import dataset_to_datapackage, frictionless_name
from metadata.dcat import (
    RDF_FORMATS,
    CatalogInfo,
    HydraPage,
    catalog_to_graph,
    dataset_to_graph,
    negotiate_rdf_format,
    serialize_graph,
)
from metadata.dcat_parse import (
    DcatPage,
    RemoteDataset,
    RemoteDistribution,
    datasets_from_dcat,
    page_from_dcat,
)
from metadata.errors import MetadataError, MetadataParseError, UnsupportedFormat
from metadata.schemaorg import dataset_to_schemaorg, schemaorg_script_json
from metadata.urls import SiteUrls, safe_link

__all__ = [
    "RDF_FORMATS",
    "CatalogInfo",
    "DcatPage",
    "HydraPage",
    "MetadataError",
    "MetadataParseError",
    "RemoteDataset",
    "RemoteDistribution",
    "SiteUrls",
    "UnsupportedFormat",
    "catalog_to_datajson",
    "catalog_to_graph",
    "dataset_to_datapackage",
    "dataset_to_graph",
    "dataset_to_schemaorg",
    "datasets_from_datajson",
    "datasets_from_dcat",
    "frictionless_name",
    "negotiate_rdf_format",
    "page_from_dcat",
    "safe_link",
    "schemaorg_script_json",
    "serialize_graph",
]
