"""One composition root: ``build_services`` composes everything once, caches included."""

from __future__ import annotations

import dataclasses

import pytest

from app.rate_store import RateLimits
from app.services import build_services
from datasets.usage import UsageRecorder
from harvesters import Harvester


def test_services_are_frozen_and_complete(services) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        # The assignment the test proves impossible: mypy refuses it too, which is the point.
        services.search = None  # type: ignore[misc]
    assert isinstance(services.harvester, Harvester)
    assert isinstance(services.rate_limits, RateLimits)
    assert isinstance(services.usage, UsageRecorder)


def test_each_composition_has_its_own_caches(settings, services) -> None:
    other = build_services(settings)
    try:
        services.caches.catalog_documents.put("etag", (b"body", "text/turtle"))
        assert services.caches.catalog_documents.get("etag") == (b"body", "text/turtle")
        assert other.caches.catalog_documents.get("etag") is None
    finally:
        other.engine.dispose()


def test_dataset_usage_reaches_the_dataset_page_without_the_api(client, services) -> None:
    from tests.factories import publish_sample

    dataset, *_ = publish_sample(services, title="Trạm quan trắc không khí")
    from datasets.usage import Metric, Subject

    services.usage.record(Subject.DATASET, dataset.id, Metric.DOWNLOADS, 3)
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert 'data-usage-downloads="3"' in page
