"""Columns named as the records route's own parameters (``name``, ``resource_id``) page on.

The next-page link repeats every parameter of the request; a filter on a column called
``name`` or ``resource_id`` must not collide with the route's parts.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

from tests.factories import publish_sample

ROWS = ("name,resource_id,so\nBến Thành,a,1\nBến Thành,b,2\nChợ Lớn,a,3\nBến Thành,a,4\n").encode()


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_filters_on_columns_named_name_and_resource_id_page_to_the_end(
    services, live_server
) -> None:
    dataset, resource_id, _publisher, _steward = publish_sample(services, data=ROWS)
    path = f"/api/v1/datasets/{dataset.name}/resources/{resource_id}/records"
    query = urllib.parse.urlencode({"name": "Bến Thành", "resource_id": "a", "_limit": "1"})
    url: str | None = f"{live_server.url}{path}?{query}"
    seen: list[int] = []
    while url:
        page = _get(url)
        seen += [item["so"] for item in page["items"]]
        url = page["next"]
        if url:
            parts = urllib.parse.urlsplit(url)
            assert parts.path == path, url
            args = urllib.parse.parse_qs(parts.query)
            assert args["name"] == ["Bến Thành"] and args["resource_id"] == ["a"], url
        assert len(seen) <= 4, seen
    assert seen == [1, 4]
