"""CKAN sources through ``ckanapi.RemoteCKAN`` on the guarded session.

``gather`` pages ``package_search`` by ``start``/``rows`` sorted by ``id asc`` (stable
pages while the remote catalog changes), restricted to ``remote_orgs`` when given; each
package's ``metadata_modified`` is its stamp, so an unchanged dataset is skipped without
another request (incremental harvesting). ``fetch`` reuses the package dict of the page
and downloads its tabular resources; other resources become links.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ckanapi

from harvesters.base import (
    ApprovalFacts,
    RemoteRecord,
    RemoteRef,
    RemoteResource,
    file_sha256,
    filename_for,
    scratch_file,
    tabular_format,
)
from harvesters.config import SourceConfig
from harvesters.errors import BadResponse, HarvestError, SourceUnavailable
from harvesters.http import HarvestSession, auth_headers, download

log = logging.getLogger(__name__)
# package fields mapped to the record's field names (sanitize keeps only allowed ones)
_FIELD_MAP = {
    "notes": "description",
    "license_id": "license",
    "license_title": "license_title",
    "maintainer_email": "maintainer_email",
    "author_email": "author_email",
    "maintainer": "maintainer",
    "author": "author",
    "url": "landing_page",
}


class _RemoteCkan(ckanapi.RemoteCKAN):  # type: ignore[misc]  # ckanapi ships no type hints
    """ckanapi ignores the HTTP status; a 5xx or 429 must stay a retryable failure."""

    def _request_fn(self, *args: Any) -> tuple[int, str]:
        status, text = super()._request_fn(*args)
        _check(status)
        return status, text

    def _request_fn_get(self, *args: Any) -> tuple[int, str]:
        status, text = super()._request_fn_get(*args)
        _check(status)
        return status, text


def _check(status: int) -> None:
    if status >= 500 or status == 429:
        raise SourceUnavailable(f"the CKAN API answered HTTP {status}", code=f"http_{status}")


class CkanSource:
    """A CKAN (or CKAN-compatible) catalog."""

    type = "ckan"
    # fetch only reads the listing and downloads through the guarded session (thread-safe)
    concurrent_fetch = True

    def __init__(
        self, url: str, config: SourceConfig, session: HarvestSession, secret: str | None = None
    ) -> None:
        self._url = url.rstrip("/")
        self._config = config
        self._session = session
        self._secret = secret
        self._packages: dict[str, Mapping[str, Any]] = {}

    def _client(self) -> ckanapi.RemoteCKAN:
        # The key goes on this client only (per request headers), never on the session.
        return _RemoteCkan(
            self._url,
            apikey=self._secret,
            user_agent=self._session.limits.user_agent,
            get_only=True,  # read actions only: GET, as CKAN allows for them
            session=self._session,
        )

    def _search(self, client: ckanapi.RemoteCKAN, start: int) -> Mapping[str, Any]:
        query: dict[str, Any] = {
            "q": "*:*",
            "rows": self._config.rows,
            "start": start,
            "sort": "id asc",
            "include_private": False,
        }
        if self._config.remote_orgs:
            names = " OR ".join(f'"{name}"' for name in self._config.remote_orgs)
            query["fq"] = f"organization:({names})"
        try:
            result = client.call_action("package_search", query)
        except HarvestError:
            raise
        except ckanapi.errors.CKANAPIError as exc:
            code = "ckan_" + type(exc).__name__.lower()
            raise BadResponse("the CKAN API answered an error", code=code) from None
        except ValueError:
            raise BadResponse("the CKAN API answered something that is not JSON") from None
        if not isinstance(result, Mapping) or not isinstance(result.get("results"), list):
            raise BadResponse("package_search answered an unexpected shape")
        return result

    def gather(self) -> Iterator[RemoteRef]:
        """Page through ``package_search``; yield one reference per package."""
        client = self._client()
        start = 0
        while True:
            page = self._search(client, start)
            results = [p for p in page["results"] if isinstance(p, Mapping) and p.get("id")]
            for package in results:
                ref = ref_from_package(package, self._url)
                self._packages[ref.remote_id] = package
                yield ref
            start += len(page["results"])
            count = page.get("count")
            if not page["results"] or (isinstance(count, int) and start >= count):
                return

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        """Map the package and download its tabular resources into ``scratch``."""
        package = self._packages.get(ref.remote_id)
        if package is None:
            try:
                package = self._client().call_action("package_show", {"id": ref.remote_id})
            except HarvestError:
                raise
            except Exception:
                raise BadResponse("package_show failed") from None
        return record_from_package(package, ref, scratch, self._download)

    def _download(self, url: str, dest: Path) -> tuple[int, str]:
        # CKAN sends its key for uploads hosted on the same site (private resources).
        same_site = url.startswith(self._url + "/")
        headers = auth_headers(self._secret) if same_site else {}
        return download(self._session, url, dest, headers)


def ref_from_package(package: Mapping[str, Any], base_url: str) -> RemoteRef:
    """Return the reference of a CKAN package dict (id, metadata_modified, approval facts)."""
    organization = package.get("organization")
    org = str(organization.get("name", "")) if isinstance(organization, Mapping) else ""
    tags = tuple(
        str(t.get("name", "")) for t in package.get("tags") or [] if isinstance(t, Mapping)
    )
    fields: dict[str, tuple[str, ...]] = {}
    for extra in package.get("extras") or []:
        if isinstance(extra, Mapping) and "key" in extra:
            fields[str(extra["key"])] = (str(extra.get("value", "")),)
    for key, value in package.items():
        if isinstance(value, str | int | float | bool) and key not in fields:
            fields[key] = (str(value).lower() if isinstance(value, bool) else str(value),)
    name = str(package.get("name") or package["id"])
    return RemoteRef(
        remote_id=str(package["id"]),
        stamp=str(package.get("metadata_modified") or ""),
        org=org,
        url=f"{base_url}/dataset/{name}",
        facts=ApprovalFacts(tags=tags, fields=fields, status=str(package.get("state", ""))),
    )


def record_from_package(
    package: Mapping[str, Any],
    ref: RemoteRef,
    scratch: Path,
    fetch_file: Any,
) -> RemoteRecord:
    """Map a package dict to a record; tabular resources are downloaded with ``fetch_file``."""
    fields = {
        target: str(package[key])
        for key, target in _FIELD_MAP.items()
        if isinstance(package.get(key), str) and package[key]
    }
    for extra in package.get("extras") or []:
        if isinstance(extra, Mapping) and isinstance(extra.get("value"), str):
            fields.setdefault(str(extra.get("key", "")), extra["value"])
    if isinstance(package.get("maintainer_email"), str):
        fields["contact_email"] = package["maintainer_email"]
    resources = []
    for position, raw in enumerate(package.get("resources") or []):
        if not isinstance(raw, Mapping) or not raw.get("url"):
            continue
        resources.append(_resource(raw, position, scratch, fetch_file))
    return RemoteRecord(
        remote_id=ref.remote_id,
        stamp=ref.stamp,
        title=str(package.get("title") or package.get("name") or ref.remote_id),
        fields=fields,
        tags=ref.facts.tags,
        org=ref.org,
        url=ref.url,
        resources=tuple(resources),
    )


def _resource(
    raw: Mapping[str, Any], position: int, scratch: Path, fetch_file: Any
) -> RemoteResource:
    url = str(raw["url"])
    fmt = str(raw.get("format") or "")
    kind = tabular_format(fmt, url)
    name = str(raw.get("name") or f"resource-{position + 1}")
    key = str(raw.get("id") or url)
    description = str(raw.get("description") or "")
    if not kind:
        return RemoteResource(key=key, name=name, description=description, url=url, format=fmt)
    dest = scratch_file(scratch, kind)
    fetch_file(url, dest)
    return RemoteResource(
        key=key,
        name=name,
        description=description,
        url=url,
        format=kind.upper(),
        path=dest,
        sha256=file_sha256(dest),
        filename=filename_for(url, kind),
    )
