"""The shared-data downloads again, with the portal's files in an S3 bucket: the public
file, the vault's agency file and a grant's narrowed columns all stream from the bucket."""

from __future__ import annotations

import pytest

from tests.app.web.test_sharing_downloads import *  # noqa: F403 -- the same tests, on S3


@pytest.fixture
def settings(settings, s3_server):
    """The test's settings with ``OPENDATA_STORAGE_URL=s3://…`` on the suite's S3 server."""
    return settings.with_overrides(**s3_server.settings_changes())


def test_these_runs_keep_no_file_in_the_data_dir(services, client) -> None:
    from datasets.storage.s3 import S3BlobStore
    from tests.app.web.sharing_fixtures import publish_restricted

    publish_restricted(services)
    assert isinstance(services.public_store, S3BlobStore)
    assert len(list(services.public_store.keys())) >= 1
    files = services.settings.data_dir / "files"
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]
