"""`opendata storage migrate --to s3://…`: files into a bucket, every SHA-256 checked."""

from __future__ import annotations

import os
import uuid

from click.testing import CliRunner
from sqlalchemy import select

from app.cli import main
from datasets.model import ResourceVersion
from datasets.storage import LocalBlobStore, blob_sha256, open_blob_store
from tests.factories import publish_sample, upload_bytes
from tests.s3server import ACCESS_KEY, SECRET_KEY

PDF = b"%PDF-1.4\n" + os.urandom(50_000) + b"\n%%EOF\n"


def _migrate(settings, s3_server, target: str):
    env = {
        "OPENDATA_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "OPENDATA_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": "us-east-1",
    }
    return CliRunner().invoke(main, ["storage", "migrate", "--to", target], env=env)


def test_migrate_copies_and_checks_every_file(settings, services, s3_server) -> None:
    dataset, _rid, publisher, _steward = publish_sample(services)
    upload_bytes(services, publisher, dataset.name, PDF, "bao-cao.pdf")
    local = {
        area: LocalBlobStore(settings.data_dir / "files" / area) for area in ("public", "private")
    }
    keys = {area: set(store.keys()) for area, store in local.items()}
    assert len(keys["public"]) >= 2 and len(keys["private"]) >= 3  # originals, tables

    target = s3_server.new_url()
    result = _migrate(settings, s3_server, target)
    assert result.exit_code == 0, result.output
    assert f"public: {len(keys['public'])} copied" in result.output
    assert f"private: {len(keys['private'])} copied" in result.output
    assert SECRET_KEY not in result.output
    for area in ("public", "private"):
        bucket = open_blob_store(target, settings.data_dir, area, s3_server.options)
        assert set(bucket.keys()) == keys[area]
        assert all(blob_sha256(bucket, key) == key for key in keys[area])

    # Again: nothing to copy, everything checked.
    again = _migrate(settings, s3_server, target)
    assert again.exit_code == 0, again.output
    assert f"public: 0 copied (0 bytes), {len(keys['public'])} already there" in again.output

    # The portal runs on the bucket: the vault's originals decrypt, public files download.
    from app import create_app
    from app.services import build_services

    moved = settings.with_overrides(**{**s3_server.settings_changes(), "storage_url": target})
    on_s3 = build_services(moved)
    try:
        with on_s3.sessions() as session:
            version = session.scalars(
                select(ResourceVersion).where(ResourceVersion.original_filename == "bao-cao.pdf")
            ).one()
        assert version.original_key in keys["private"]
        with on_s3.vault.decrypted(version.original_key) as plain:
            assert plain.read_bytes() == PDF
        client = create_app(moved, on_s3).test_client()
        view = on_s3.catalog.get(dataset.name)
        resource = view.resources[0]
        url = f"/dataset/{view.name}/resource/{resource.id}/download/{resource.filename}"
        with local["public"].open(resource.sha256) as published:
            assert client.get(url).get_data() == published.read()
    finally:
        on_s3.engine.dispose()


def test_a_damaged_file_is_reported_and_not_copied(settings, services, s3_server) -> None:
    publish_sample(services)
    store = LocalBlobStore(settings.data_dir / "files" / "public")
    key = next(iter(store.keys()))
    path = store.local_path(key)
    assert path is not None
    path.write_bytes(path.read_bytes() + b"tampered")

    target = s3_server.new_url()
    result = _migrate(settings, s3_server, target)
    assert result.exit_code == 1
    assert f"{key} is damaged in the source" in result.output
    bucket = open_blob_store(target, settings.data_dir, "public", s3_server.options)
    assert key not in set(bucket.keys())


def test_migrate_refuses_a_malformed_target(settings, s3_server) -> None:
    result = _migrate(settings, s3_server, "s3://Not_A_Bucket/files")
    assert result.exit_code == 1
    assert "OPENDATA_STORAGE_URL must look like s3://bucket/prefix" in result.output


def test_db_upgrade_creates_the_bucket_once(tmp_path, s3_server) -> None:
    bucket = f"new-{uuid.uuid4().hex[:12]}"
    env = {
        "OPENDATA_DATA_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "OPENDATA_STORAGE_URL": f"s3://{bucket}/portal",
        "OPENDATA_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": "us-east-1",
    }
    first = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert first.exit_code == 0, first.output
    assert f"created bucket {bucket}" in first.output
    s3_server.client().head_bucket(Bucket=bucket)
    again = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert again.exit_code == 0 and "created bucket" not in again.output

    gone = {**env, "OPENDATA_S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    failed = CliRunner().invoke(main, ["db", "upgrade"], env=gone)
    assert failed.exit_code == 1 and "object storage bucket check failed" in failed.output
    assert SECRET_KEY not in failed.output
