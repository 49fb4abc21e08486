"""Every public URL and URI the metadata documents use, built in one place.

Identifiers (URIs of datasets, distributions and publishers) are built on ids, which
never change; links a person follows (landing pages, downloads, API endpoints) are built
on the dataset's name, as the web layer routes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from datasets.public import PublicResource

_LINK_SCHEMES = frozenset({"http", "https", "ftp"})
# Characters that may stay as they are in a URL we publish; everything else (spaces,
# quotes, angle brackets, controls, non-ASCII) is percent-encoded, so the value is a
# valid IRI in every serialization and cannot break out of an attribute or a <script>.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def safe_link(value: str) -> str | None:
    """Return ``value`` as an http(s)/ftp URL fit to publish, or None.

    Other schemes (``javascript:``, ``data:``, ``file:``) and values without a host
    give None; unsafe characters are percent-encoded.
    """
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.netloc:
        return None
    return quote(value, safe=_URL_SAFE)


def _segment(value: str) -> str:
    """Percent-encode one path segment (no ``/`` survives)."""
    return quote(value, safe="")


@dataclass(frozen=True)
class SiteUrls:
    """URLs under ``site_url`` (the ``OPENDATA_SITE_URL`` setting).

    A trailing slash on ``site_url`` is ignored, so ``http://x/`` and ``http://x`` give
    the same URLs.
    """

    site_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "site_url", self.site_url.rstrip("/"))

    # Identifiers (stable: built on ids)

    def dataset_uri(self, dataset_id: str) -> str:
        """Return the URI identifying a dataset: ``{site}/dataset/{id}``."""
        return f"{self.site_url}/dataset/{_segment(dataset_id)}"

    def distribution_uri(self, dataset_id: str, resource_id: str) -> str:
        """Return the URI identifying a distribution: ``{site}/dataset/{id}/resource/{rid}``."""
        return f"{self.dataset_uri(dataset_id)}/resource/{_segment(resource_id)}"

    def organization_uri(self, organization_id: str) -> str:
        """Return the URI identifying a publisher: ``{site}/organization/{id}``."""
        return f"{self.site_url}/organization/{_segment(organization_id)}"

    def records_service_uri(self, dataset_id: str, resource_id: str) -> str:
        """Return the URI identifying the datastore query service of one tabular resource."""
        return f"{self.distribution_uri(dataset_id, resource_id)}#records-api"

    def theme_scheme_uri(self) -> str:
        """Return the URI of the city's theme scheme (themes are CKAN groups)."""
        return f"{self.site_url}/group"

    def theme_uri(self, theme_name: str) -> str:
        """Return the URI of one city theme: ``{site}/group/{name}``."""
        return f"{self.site_url}/group/{_segment(theme_name)}"

    # Pages and links (built on names, as routed by the web layer)

    def home(self) -> str:
        """Return the site's home page."""
        return f"{self.site_url}/"

    def catalog(self) -> str:
        """Return the catalog URL (``{site}/catalog``), also the catalog's URI."""
        return f"{self.site_url}/catalog"

    def data_json(self) -> str:
        """Return the DCAT-US ``/data.json`` URL."""
        return f"{self.site_url}/data.json"

    def landing_page(self, dataset_name: str) -> str:
        """Return the dataset page: ``{site}/dataset/{name}``."""
        return f"{self.site_url}/dataset/{_segment(dataset_name)}"

    def datapackage(self, dataset_name: str) -> str:
        """Return the dataset's ``datapackage.json`` URL."""
        return f"{self.landing_page(dataset_name)}/datapackage.json"

    def resource_page(self, dataset_name: str, resource_id: str) -> str:
        """Return the resource page: ``{site}/dataset/{name}/resource/{rid}``."""
        return f"{self.landing_page(dataset_name)}/resource/{_segment(resource_id)}"

    def download_url(self, dataset_name: str, resource: PublicResource) -> str:
        """Return where the resource's bytes are: the remote URL of a link, else our path.

        A link whose URL is not a safe http(s) URL points at the resource page instead.
        """
        if resource.url:
            return safe_link(resource.url) or self.resource_page(dataset_name, resource.id)
        page = self.resource_page(dataset_name, resource.id)
        return f"{page}/download/{_segment(resource.filename)}"

    def organization_page(self, organization_name: str) -> str:
        """Return the organization page: ``{site}/organization/{name}``."""
        return f"{self.site_url}/organization/{_segment(organization_name)}"

    # APIs

    def ckan_api(self) -> str:
        """Return the CKAN-compatible Action API endpoint."""
        return f"{self.site_url}/api/3/action/"

    def rest_api(self) -> str:
        """Return the REST API endpoint."""
        return f"{self.site_url}/api/v1/"

    def openapi(self) -> str:
        """Return the OpenAPI 3 description of the REST API."""
        return f"{self.site_url}/api/v1/openapi.json"

    def records(self, dataset_name: str, resource_id: str) -> str:
        """Return the datastore query endpoint of one tabular resource."""
        return (
            f"{self.site_url}/api/v1/datasets/{_segment(dataset_name)}"
            f"/resources/{_segment(resource_id)}/records"
        )
