"""Namespaces and controlled vocabularies the metadata documents use.

EU authority tables (data themes, frequencies, file types, languages) are those of the
Publications Office, which DCAT-AP recommends; media types are IANA's.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from datasets.licence_map import portal_licence_id
from datasets.vocab import FREQUENCIES, LICENSES

DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
# ADMS publisher and licence types (the vocabularies DCAT-AP recommends for dct:type).
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
# The licence types of each of our licences (datasets.vocab.LICENSES ids).
LICENCE_TYPES: dict[str, tuple[str, ...]] = {
    "cc-by-4.0": ("Attribution",),
    "cc0-1.0": ("PublicDomain",),
    "cc-by-sa-4.0": ("Attribution", "ShareAlike"),
    "odc-by": ("Attribution",),
    "odc-odbl": ("Attribution", "ShareAlike"),
}

EU_AUTHORITY = "http://publications.europa.eu/resource/authority"
EU_DATA_THEME = Namespace(f"{EU_AUTHORITY}/data-theme/")
EU_FREQUENCY = Namespace(f"{EU_AUTHORITY}/frequency/")
EU_FILE_TYPE = Namespace(f"{EU_AUTHORITY}/file-type/")
EU_LANGUAGE = Namespace(f"{EU_AUTHORITY}/language/")
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
SPDX_LICENSES = "http://spdx.org/licenses/"
FRICTIONLESS_TABLE_SCHEMA = URIRef("https://specs.frictionlessdata.io/table-schema/")

# The EU data-theme authority table: code -> (Vietnamese label, English label).
EU_DATA_THEMES: dict[str, tuple[str, str]] = {
    "AGRI": (
        "Nông nghiệp, thủy sản, lâm nghiệp và thực phẩm",
        "Agriculture, fisheries, forestry and food",
    ),
    "ECON": ("Kinh tế và tài chính", "Economy and finance"),
    "EDUC": ("Giáo dục, văn hóa và thể thao", "Education, culture and sport"),
    "ENER": ("Năng lượng", "Energy"),
    "ENVI": ("Môi trường", "Environment"),
    "GOVE": ("Chính quyền và khu vực công", "Government and public sector"),
    "HEAL": ("Y tế", "Health"),
    "INTR": ("Các vấn đề quốc tế", "International issues"),
    "JUST": (
        "Tư pháp, hệ thống pháp luật và an toàn công cộng",
        "Justice, legal system and public safety",
    ),
    "REGI": ("Vùng và đô thị", "Regions and cities"),
    "SOCI": ("Dân số và xã hội", "Population and society"),
    "TECH": ("Khoa học và công nghệ", "Science and technology"),
    "TRAN": ("Giao thông vận tải", "Transport"),
}
EU_DATA_THEME_SCHEME = URIRef(f"{EU_AUTHORITY}/data-theme")

# Our format names (upper case, as ``PublicResource.format``) -> EU file-type codes.
EU_FILE_TYPES: dict[str, str] = {
    "CSV": "CSV",
    "TSV": "TSV",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "ODS": "ODS",
    "JSON": "JSON",
    "GEOJSON": "GEOJSON",
    "JSONLD": "JSON_LD",
    "XML": "XML",
    "PDF": "PDF",
    "ZIP": "ZIP",
    "HTML": "HTML",
    "TXT": "TXT",
    "DOCX": "DOCX",
    "DOC": "DOC",
    "SHP": "SHP",
    "KML": "KML",
    "KMZ": "KMZ",
    "PARQUET": "PARQUET",
    "TTL": "RDF_TURTLE",
    "RDF": "RDF_XML",
    "NT": "RDF_N_TRIPLES",
}

# ISO 639-1 codes we publish in -> EU language authority codes (ISO 639-2/B-like).
EU_LANGUAGES: dict[str, str] = {"vi": "VIE", "en": "ENG"}


def eu_theme_uri(code: str) -> URIRef | None:
    """Return the EU data-theme URI of ``code`` ("TRAN"), or None for an unknown code."""
    code = code.strip().upper()
    return EU_DATA_THEME[code] if code in EU_DATA_THEMES else None


def frequency_uri(code: str) -> URIRef | None:
    """Return the EU frequency URI of a ``datasets.vocab.FREQUENCIES`` code, or None."""
    return EU_FREQUENCY[code] if code in FREQUENCIES else None


def frequency_from_uri(uri: str) -> str:
    """Return the frequency code of an EU frequency URI, or "" when it is not one of ours."""
    code = uri.rstrip("/").rsplit("/", 1)[-1].upper()
    return code if uri.startswith(str(EU_FREQUENCY)) and code in FREQUENCIES else ""


def file_type_uri(fmt: str) -> URIRef | None:
    """Return the EU file-type URI for a format name ("CSV"), or None when unknown."""
    code = EU_FILE_TYPES.get(fmt.strip().upper())
    return EU_FILE_TYPE[code] if code else None


def media_type_uri(media_type: str) -> URIRef | None:
    """Return the IANA URI of a media type ("text/csv"), or None when it is not type/subtype."""
    essence = media_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = essence.partition("/")
    if not kind or not subtype or "/" in subtype or " " in essence:
        return None
    return URIRef(f"{IANA_MEDIA_TYPES}{essence}")


def media_type_from_uri(uri: str) -> str:
    """Return "type/subtype" from an IANA media-type URI, or the value unchanged."""
    for prefix in (IANA_MEDIA_TYPES, IANA_MEDIA_TYPES.replace("http:", "https:")):
        if uri.startswith(prefix):
            return uri[len(prefix) :]
    return uri


def language_uri(code: str) -> URIRef | None:
    """Return the EU language URI of an ISO 639-1 code we publish in ("vi", "en"), or None."""
    eu_code = EU_LANGUAGES.get(code)
    return EU_LANGUAGE[eu_code] if eu_code else None


def license_uri(license_id: str) -> URIRef | None:
    """Return the canonical URL of one of our licences, or None for an unknown id."""
    lic = LICENSES.get(license_id)
    return URIRef(lic.url) if lic else None


def spdx_license_uri(license_id: str) -> URIRef | None:
    """Return the SPDX licence URI (http://spdx.org/licenses/CC-BY-4.0) of one of ours."""
    lic = LICENSES.get(license_id)
    return URIRef(f"{SPDX_LICENSES}{lic.spdx}") if lic else None


def license_id_from_text(text: str) -> str:
    """Return the id of our licence named by ``text`` (a URI, SPDX id, CKAN id or title),
    or "" when it names none we offer (``datasets.licence_map``)."""
    return portal_licence_id(text)
