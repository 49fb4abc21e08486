"""Deployment settings (SPEC §5): one frozen dataclass, loaded once, validated at start.

Order: defaults, then ``<data dir>/.env`` (or the file named by ``OPENDATA_ENV_FILE``),
then the process environment. Secrets are never constants: they come from the
environment or from key files that ``opendata db upgrade`` creates in the data dir.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dotenv import dotenv_values

if TYPE_CHECKING:
    from datasets.storage.urls import S3Options


class SettingsError(ValueError):
    """A setting has a bad value; the message names the setting, never a secret."""


def _setting(default: Any, help: str, env: str | None = None, *, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"help": help, "env": env})


@dataclass(frozen=True)
class Settings:
    """Every deployment setting with its default (the embedded set-up)."""

    data_dir: Path = _setting(  # noqa: RUF009 -- Path is immutable, safe as a default
        Path("instance"), "Folder for the database, files, index and keys.", "OPENDATA_DATA_DIR"
    )
    database_url: str = _setting(
        "", "Database URL; default: SQLite file in the data dir.", "DATABASE_URL"
    )
    storage_url: str = _setting(
        "file://",
        "File storage: file:// keeps files in the data dir; s3://bucket/prefix an S3 bucket.",
        "OPENDATA_STORAGE_URL",
    )
    s3_endpoint_url: str = _setting(
        "",
        "Endpoint of a non-AWS S3-compatible store (http(s)://host:port); empty: AWS.",
        "OPENDATA_S3_ENDPOINT_URL",
    )
    s3_presigned_downloads: int = _setting(
        0,
        "Seconds a signed download URL of the bucket lives; 0: the portal streams files.",
        "OPENDATA_S3_PRESIGNED_DOWNLOADS",
    )
    aws_access_key_id: str = _setting(
        "", "S3 access key id; empty: boto3's default credentials.", "AWS_ACCESS_KEY_ID"
    )
    aws_secret_access_key: str = _setting(
        "", "S3 secret access key (never logged).", "AWS_SECRET_ACCESS_KEY", secret=True
    )
    aws_region: str = _setting("", "S3 region; empty: boto3's default.", "AWS_REGION")
    search_url: str = _setting(
        "whoosh://", "Search index; whoosh:// keeps it in the data dir.", "OPENDATA_SEARCH_URL"
    )
    redis_url: str = _setting(
        "", "Redis for the job queue and rate limits; empty: SQLite.", "REDIS_URL"
    )
    secret_key: str = _setting(
        "", "Session signing key; default: data dir key file.", "OPENDATA_SECRET_KEY"
    )
    encryption_key: str = _setting(
        "", "AES-256 key (64 hex) for originals at rest.", "OPENDATA_ENCRYPTION_KEY"
    )
    hash_key: str = _setting(
        "", "HMAC key (64 hex) for hashed personal-data columns.", "OPENDATA_HASH_KEY"
    )
    site_url: str = _setting(
        "http://127.0.0.1:5000", "Public base URL for links and DCAT URIs.", "OPENDATA_SITE_URL"
    )
    max_upload_mb: int = _setting(1024, "Largest accepted upload in MB.", "OPENDATA_MAX_UPLOAD_MB")
    max_json_bytes: int = _setting(
        1024 * 1024,
        "Largest API request body that is not a file upload (JSON, forms), in bytes.",
        "OPENDATA_MAX_JSON_BYTES",
    )
    harvest_allowed_hosts: str = _setting(
        "", "Private hosts or CIDRs harvesting may reach.", "OPENDATA_HARVEST_ALLOWED_HOSTS"
    )
    rate_limit_anon: str = _setting(
        "120/minute", "Anonymous API rate limit; 0 disables.", "OPENDATA_RATE_LIMIT_ANON"
    )
    rate_limit_token: str = _setting(
        "1200/minute", "Per-token API rate limit; 0 disables.", "OPENDATA_RATE_LIMIT_TOKEN"
    )
    api_quota_token_daily: int = _setting(
        100000,
        "API calls per token per UTC day, beside the per-minute limit; 0 disables.",
        "OPENDATA_API_QUOTA_TOKEN_DAILY",
    )
    webhook_allowed_hosts: str = _setting(
        "",
        "Private hosts or CIDRs webhook receivers may be at (e.g. 127.0.0.1 in tests).",
        "OPENDATA_WEBHOOK_ALLOWED_HOSTS",
    )
    webhook_retry_seconds: int = _setting(
        60,
        "Delay before a failed webhook delivery's first retry; doubled at each retry.",
        "OPENDATA_WEBHOOK_RETRY_SECONDS",
    )
    webhook_max_failures: int = _setting(
        10,
        "Failed webhook attempts in a row that disable a subscription (its owner is mailed).",
        "OPENDATA_WEBHOOK_MAX_FAILURES",
    )
    page_cache_seconds: int = _setting(
        30,
        "Seconds a rendered public page is reused for anonymous readers; 0 disables.",
        "OPENDATA_PAGE_CACHE_SECONDS",
    )
    oidc_issuer: str = _setting(
        "", "OpenID Connect issuer URL; empty: single sign-on off.", "OPENDATA_OIDC_ISSUER"
    )
    oidc_client_id: str = _setting("", "OpenID Connect client id.", "OPENDATA_OIDC_CLIENT_ID")
    oidc_client_secret: str = _setting(
        "", "OpenID Connect client secret.", "OPENDATA_OIDC_CLIENT_SECRET"
    )
    smtp_url: str = _setting(
        "", "smtp://user:pass@host:port; empty: mail goes to the log folder.", "OPENDATA_SMTP_URL"
    )
    k_anonymity_min: int = _setting(
        5, "Smallest acceptable group size after stripping.", "OPENDATA_K_ANONYMITY_MIN"
    )
    sql_timeout_ms: int = _setting(
        5000, "Time limit of the read-only SQL endpoint (ms).", "OPENDATA_SQL_TIMEOUT_MS"
    )
    sql_max_rows: int = _setting(
        32000, "Row limit of the read-only SQL endpoint.", "OPENDATA_SQL_MAX_ROWS"
    )
    sql_max_bytes: int = _setting(
        16 * 1024 * 1024,
        "Largest result of the read-only SQL endpoint, in bytes of JSON; larger is refused.",
        "OPENDATA_SQL_MAX_BYTES",
    )
    sql_concurrency: int = _setting(
        2,
        "Read-only SQL queries running at once per server process; more get 429.",
        "OPENDATA_SQL_CONCURRENCY",
    )
    cors_origins: str = _setting(
        "*", "Origins allowed to read public GET endpoints.", "OPENDATA_CORS_ORIGINS"
    )
    audit_retention_days: int = _setting(
        365, "How long audit log entries are kept (days).", "OPENDATA_AUDIT_RETENTION_DAYS"
    )
    job_time_limit: int = _setting(
        3600, "Longest a background job may run (seconds).", "OPENDATA_JOB_TIME_LIMIT"
    )
    job_workers: int = _setting(2, "Background jobs run at once.", "OPENDATA_JOB_WORKERS")
    bulk_hour: int = _setting(
        2,
        "Hour (UTC, 0-23) of the nightly bulk archive of public data; -1: no nightly archive.",
        "OPENDATA_BULK_HOUR",
    )
    bulk_keep: int = _setting(3, "Bulk archives kept and served.", "OPENDATA_BULK_KEEP")
    bulk_max_mb: int = _setting(
        20_000,
        "Most bytes a bulk archive may hold, before compression (MB); a larger build stops.",
        "OPENDATA_BULK_MAX_MB",
    )
    bulk_max_seconds: int = _setting(
        3000, "Longest a bulk archive build may run (seconds).", "OPENDATA_BULK_MAX_SECONDS"
    )
    recovery_seconds: int = _setting(
        60,
        "How often a job process takes over the work of dead job processes (seconds).",
        "OPENDATA_RECOVERY_SECONDS",
    )
    staging_max_age_hours: int = _setting(
        24,
        "Age after which a leftover upload or scratch file is removed at start-up (hours).",
        "OPENDATA_STAGING_MAX_AGE_HOURS",
    )
    session_idle_minutes: int = _setting(
        120,
        "A sign-in session ends after this long unused (minutes).",
        "OPENDATA_SESSION_IDLE_MINUTES",
    )
    session_max_hours: int = _setting(
        12,
        "A sign-in session ends this long after sign-in, used or not (hours).",
        "OPENDATA_SESSION_MAX_HOURS",
    )
    signin_limit_client: str = _setting(
        "30/minute",
        "Sign-in attempts per client address; 0 disables.",
        "OPENDATA_SIGNIN_LIMIT_CLIENT",
    )
    signin_limit_account: str = _setting(
        "5/15minutes",
        "Failed sign-ins per account from unknown browsers; 0 disables.",
        "OPENDATA_SIGNIN_LIMIT_ACCOUNT",
    )
    mail_limit_address: str = _setting(
        "3/hour",
        "Reset and registration mails per address; 0 disables.",
        "OPENDATA_MAIL_LIMIT_ADDRESS",
    )
    mail_limit_client: str = _setting(
        "10/hour",
        "Reset and registration requests per client address; 0 disables.",
        "OPENDATA_MAIL_LIMIT_CLIENT",
    )
    trusted_proxies: int = _setting(
        0,
        "Reverse proxies in front whose X-Forwarded-* headers are believed.",
        "OPENDATA_TRUSTED_PROXIES",
    )
    harvest_sql_paths: str = _setting(
        "",
        "Folders or files SQLite harvest sources may read (comma-separated).",
        "OPENDATA_HARVEST_SQL_PATHS",
    )
    log_level: str = _setting(
        "INFO", "Log level: DEBUG, INFO, WARNING or ERROR.", "OPENDATA_LOG_LEVEL"
    )
    # Not from the environment: tests run jobs inline.
    jobs_immediate: bool = _setting(False, "Run background jobs inline (tests).")
    testing: bool = _setting(False, "Test mode.")

    def __post_init__(self) -> None:
        # Every path below is resolved once, here, against the working directory the
        # process was started in: a relative OPENDATA_DATA_DIR (the demo's ``instance``)
        # would otherwise be read against whatever folder a library takes as its base
        # (Flask's ``send_file`` takes the application package).
        if not self.data_dir.is_absolute():
            object.__setattr__(self, "data_dir", Path(os.path.abspath(self.data_dir)))

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'portal.sqlite3').resolve()}"

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a validated copy with ``changes`` applied (tests, CLI options)."""
        return validate(replace(self, **changes))


def _validate_storage(s: Settings) -> None:
    # The value is never repeated in the message: a mistyped URL may hold a credential.
    if s.storage_url.startswith("s3://"):
        from datasets.storage.urls import parse_s3_url

        try:
            parse_s3_url(s.storage_url)
        except ValueError as exc:
            raise SettingsError(
                f"OPENDATA_STORAGE_URL must look like s3://bucket/prefix: {exc}"
            ) from None
    elif not s.storage_url.startswith("file://"):
        raise SettingsError("OPENDATA_STORAGE_URL must be file://, file:///path or s3://bucket")
    if s.s3_endpoint_url and not re.match(r"^https?://[^/\s@]+/?$", s.s3_endpoint_url):
        raise SettingsError("OPENDATA_S3_ENDPOINT_URL must be http(s)://host[:port]")
    if s.s3_presigned_downloads > 3600:
        raise SettingsError("OPENDATA_S3_PRESIGNED_DOWNLOADS must be at most 3600 seconds")


def s3_options(settings: Settings) -> S3Options:
    """The object store's endpoint, credentials and region from the settings."""
    from datasets.storage.urls import S3Options

    return S3Options(
        endpoint_url=settings.s3_endpoint_url or None,
        access_key_id=settings.aws_access_key_id or None,
        secret_access_key=settings.aws_secret_access_key or None,
        region=settings.aws_region or None,
    )


def search_url_for(settings: Settings) -> str:
    """Return the search URL with the embedded default resolved to the data dir."""
    if settings.search_url == "whoosh://":
        return f"whoosh://{(settings.data_dir / 'index').resolve()}"
    return settings.search_url


def datastore_url_for(settings: Settings) -> str:
    """The datastore lives beside the database: its own SQLite file, or its own schema."""
    url = settings.effective_database_url
    return url if url.startswith(("postgresql", "postgres")) else ""


def setting_docs() -> list[tuple[str, str, str]]:
    """Return (environment variable, default, help) for every environment setting."""
    rows = []
    for f in fields(Settings):
        if f.metadata.get("env"):
            rows.append((f.metadata["env"], str(f.default), f.metadata["help"]))
    return rows


_INT_FIELDS = {f.name for f in fields(Settings) if f.type in ("int", int)}
_RATE = re.compile(r"^(0|\d+\s*/\s*(\d+\s*)?(second|minute|hour|day)s?)$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def _given(environ: Mapping[str, str] | None) -> dict[str, str]:
    """The values given by the .env file, then the environment (which wins)."""
    environ = dict(os.environ if environ is None else environ)
    data_dir = Path(environ.get("OPENDATA_DATA_DIR", "instance"))
    env_file = Path(environ.get("OPENDATA_ENV_FILE", str(data_dir / ".env")))
    values: dict[str, str] = {}
    if env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(environ)
    return values


def is_given(env: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the setting ``env`` is set by the environment or the .env file."""
    return env in _given(environ)


def site_url_for_bind(bind: str) -> str | None:
    """The base URL of a server bound to ``HOST:PORT``; None for a unix socket.

    A wildcard address (every interface) is named by the loopback address: the only one
    known to reach this machine. A deployment behind a proxy or a name sets
    ``OPENDATA_SITE_URL``.
    """
    host, sep, port = bind.rpartition(":")
    if bind.startswith("unix:") or not sep or not port.isdigit():
        return None
    host = host.strip("[]") or "127.0.0.1"
    with contextlib.suppress(ValueError):  # a name is kept as it is
        if ipaddress.ip_address(host).is_unspecified:
            host = "::1" if ":" in host else "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Load defaults, then the .env file, then the environment; validate; freeze."""
    values = _given(environ)
    changes: dict[str, Any] = {}
    for f in fields(Settings):
        env = f.metadata.get("env")
        if not env or env not in values:
            continue
        raw = values[env].strip()
        if f.name in _INT_FIELDS:
            try:
                changes[f.name] = int(raw)
            except ValueError:
                raise SettingsError(f"{env} must be a whole number") from None
        elif f.name == "data_dir":
            changes[f.name] = Path(raw)
        else:
            changes[f.name] = raw
    return validate(Settings(**changes))


def validate(settings: Settings) -> Settings:
    """Return ``settings`` if every value is acceptable; raise ``SettingsError`` naming it."""
    s = settings
    if not s.effective_database_url.startswith(
        ("sqlite:", "postgresql:", "postgres:", "postgresql+psycopg:")
    ):
        raise SettingsError("DATABASE_URL must be a sqlite: or postgresql: URL")
    _validate_storage(s)
    if not s.search_url.startswith(("whoosh://", "postgresql:", "postgres:")):
        raise SettingsError("OPENDATA_SEARCH_URL must be whoosh:// or postgresql://")
    if s.redis_url and not s.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("REDIS_URL must be a redis:// URL")
    if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", s.site_url):
        raise SettingsError("OPENDATA_SITE_URL must be an http(s) URL")
    for name, env in (
        ("encryption_key", "OPENDATA_ENCRYPTION_KEY"),
        ("hash_key", "OPENDATA_HASH_KEY"),
    ):
        value = getattr(s, name)
        if value and not _HEX64.match(value):
            raise SettingsError(f"{env} must be 64 hexadecimal characters (32 bytes)")
    if s.secret_key and len(s.secret_key) < 32:
        raise SettingsError("OPENDATA_SECRET_KEY must be at least 32 characters")
    for name, env, low in (
        ("max_upload_mb", "OPENDATA_MAX_UPLOAD_MB", 1),
        ("max_json_bytes", "OPENDATA_MAX_JSON_BYTES", 1024),
        ("k_anonymity_min", "OPENDATA_K_ANONYMITY_MIN", 1),
        ("sql_timeout_ms", "OPENDATA_SQL_TIMEOUT_MS", 1),
        ("sql_max_rows", "OPENDATA_SQL_MAX_ROWS", 1),
        ("sql_max_bytes", "OPENDATA_SQL_MAX_BYTES", 1024),
        ("sql_concurrency", "OPENDATA_SQL_CONCURRENCY", 1),
        ("audit_retention_days", "OPENDATA_AUDIT_RETENTION_DAYS", 1),
        ("job_time_limit", "OPENDATA_JOB_TIME_LIMIT", 1),
        ("job_workers", "OPENDATA_JOB_WORKERS", 1),
        ("recovery_seconds", "OPENDATA_RECOVERY_SECONDS", 1),
        ("staging_max_age_hours", "OPENDATA_STAGING_MAX_AGE_HOURS", 1),
        ("session_idle_minutes", "OPENDATA_SESSION_IDLE_MINUTES", 1),
        ("session_max_hours", "OPENDATA_SESSION_MAX_HOURS", 1),
        ("trusted_proxies", "OPENDATA_TRUSTED_PROXIES", 0),
        ("s3_presigned_downloads", "OPENDATA_S3_PRESIGNED_DOWNLOADS", 0),
        ("api_quota_token_daily", "OPENDATA_API_QUOTA_TOKEN_DAILY", 0),
        ("webhook_retry_seconds", "OPENDATA_WEBHOOK_RETRY_SECONDS", 1),
        ("webhook_max_failures", "OPENDATA_WEBHOOK_MAX_FAILURES", 1),
        ("page_cache_seconds", "OPENDATA_PAGE_CACHE_SECONDS", 0),
    ):
        if getattr(s, name) < low:
            raise SettingsError(f"{env} must be at least {low}")
    for name, env in (
        ("rate_limit_anon", "OPENDATA_RATE_LIMIT_ANON"),
        ("rate_limit_token", "OPENDATA_RATE_LIMIT_TOKEN"),
        ("signin_limit_client", "OPENDATA_SIGNIN_LIMIT_CLIENT"),
        ("signin_limit_account", "OPENDATA_SIGNIN_LIMIT_ACCOUNT"),
        ("mail_limit_address", "OPENDATA_MAIL_LIMIT_ADDRESS"),
        ("mail_limit_client", "OPENDATA_MAIL_LIMIT_CLIENT"),
    ):
        if not _RATE.match(getattr(s, name)):
            raise SettingsError(f"{env} must look like 120/minute, or 0 to disable")
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError("OPENDATA_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    if bool(s.oidc_issuer) != bool(s.oidc_client_id):
        raise SettingsError("OPENDATA_OIDC_ISSUER and OPENDATA_OIDC_CLIENT_ID go together")
    return s
