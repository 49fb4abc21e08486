"""Settings: defaults, .env file, environment, validation that names the bad setting."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.config import (
    Settings,
    SettingsError,
    is_given,
    load_settings,
    setting_docs,
    site_url_for_bind,
)


def test_defaults_give_the_embedded_setup(tmp_path: Path) -> None:
    settings = load_settings({"OPENDATA_DATA_DIR": str(tmp_path)})
    assert settings.effective_database_url == f"sqlite:///{(tmp_path / 'portal.sqlite3').resolve()}"
    assert settings.search_url == "whoosh://"
    assert settings.max_upload_mb == 1024
    assert settings.rate_limit_anon == "120/minute"
    assert settings.site_url == "http://127.0.0.1:5000"


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "OPENDATA_MAX_UPLOAD_MB=10\nOPENDATA_SITE_URL=https://a.example\n"
    )
    settings = load_settings(
        {"OPENDATA_DATA_DIR": str(tmp_path), "OPENDATA_SITE_URL": "https://data.hcmc.example"}
    )
    assert settings.max_upload_mb == 10
    assert settings.site_url == "https://data.hcmc.example"


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings({"OPENDATA_DATA_DIR": str(tmp_path)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.max_upload_mb = 1


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("OPENDATA_MAX_UPLOAD_MB", "lots", "OPENDATA_MAX_UPLOAD_MB"),
        ("OPENDATA_MAX_UPLOAD_MB", "0", "OPENDATA_MAX_UPLOAD_MB"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL"),
        ("OPENDATA_SEARCH_URL", "solr://x", "OPENDATA_SEARCH_URL"),
        ("OPENDATA_ENCRYPTION_KEY", "short", "OPENDATA_ENCRYPTION_KEY"),
        ("OPENDATA_RATE_LIMIT_ANON", "fast", "OPENDATA_RATE_LIMIT_ANON"),
        ("OPENDATA_SITE_URL", "ftp://x", "OPENDATA_SITE_URL"),
        ("REDIS_URL", "http://x", "REDIS_URL"),
        ("OPENDATA_STORAGE_URL", "gs://bucket", "OPENDATA_STORAGE_URL"),
        ("OPENDATA_STORAGE_URL", "s3://", "OPENDATA_STORAGE_URL"),
        ("OPENDATA_STORAGE_URL", "s3://Bad_Bucket/files", "OPENDATA_STORAGE_URL"),
        ("OPENDATA_STORAGE_URL", "s3://key:secret@bucket/files", "OPENDATA_STORAGE_URL"),
        ("OPENDATA_STORAGE_URL", "s3://bucket/a/../b", "OPENDATA_STORAGE_URL"),
        ("OPENDATA_S3_ENDPOINT_URL", "minio:9000", "OPENDATA_S3_ENDPOINT_URL"),
        ("OPENDATA_S3_PRESIGNED_DOWNLOADS", "86400", "OPENDATA_S3_PRESIGNED_DOWNLOADS"),
        ("OPENDATA_S3_PRESIGNED_DOWNLOADS", "yes", "OPENDATA_S3_PRESIGNED_DOWNLOADS"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, variable: str, value: str, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({"OPENDATA_DATA_DIR": str(tmp_path), variable: value})


def test_error_never_contains_the_secret_value(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"OPENDATA_DATA_DIR": str(tmp_path), "OPENDATA_HASH_KEY": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(info.value)


def test_s3_storage_is_accepted_and_its_secret_never_shown(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "OPENDATA_DATA_DIR": str(tmp_path),
            "OPENDATA_STORAGE_URL": "s3://opendata-hcmc/portal/files/",
            "OPENDATA_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "s3cr3t-access-key",
            "AWS_REGION": "ap-southeast-1",
            "OPENDATA_S3_PRESIGNED_DOWNLOADS": "300",
        }
    )
    assert settings.storage_url == "s3://opendata-hcmc/portal/files/"
    assert settings.s3_presigned_downloads == 300
    assert "s3cr3t-access-key" not in repr(settings)
    with pytest.raises(SettingsError) as info:
        load_settings(
            {"OPENDATA_DATA_DIR": str(tmp_path), "OPENDATA_STORAGE_URL": "s3://AK:s3cr3t@b/x"}
        )
    assert "s3cr3t" not in str(info.value)


def test_every_environment_setting_is_documented_in_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [env for env, _default, _help in setting_docs() if f"`{env}`" not in readme]
    assert missing == []
    assert len(setting_docs()) >= 20


def test_settings_have_help_for_every_field() -> None:
    for field in dataclasses.fields(Settings):
        assert field.metadata.get("help"), field.name


def test_a_relative_data_dir_is_resolved_once_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"OPENDATA_DATA_DIR": "instance"})
    assert settings.data_dir == tmp_path / "instance"
    monkeypatch.chdir("/")  # a later change of folder (a library's own base) changes nothing
    assert settings.data_dir == tmp_path / "instance"
    assert Settings(data_dir=Path("instance")).data_dir == Path("/instance")


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:5123", "http://127.0.0.1:5123"),
        ("0.0.0.0:8000", "http://127.0.0.1:8000"),
        ("[::]:8000", "http://[::1]:8000"),
        ("[::1]:8001", "http://[::1]:8001"),
        ("portal.local:80", "http://portal.local:80"),
        (":8002", "http://127.0.0.1:8002"),
        ("unix:/run/opendata.sock", None),
        ("127.0.0.1:http", None),
    ],
)
def test_the_site_url_of_a_bound_address(bind: str, url: str | None) -> None:
    assert site_url_for_bind(bind) == url


def test_a_site_url_given_by_the_env_file_counts_as_given(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPENDATA_SITE_URL=https://data.example\n")
    assert is_given("OPENDATA_SITE_URL", {"OPENDATA_DATA_DIR": str(tmp_path)})
    assert not is_given("OPENDATA_SITE_URL", {"OPENDATA_DATA_DIR": str(tmp_path / "other")})
