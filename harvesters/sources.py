"""Registered harvest sources: register, edit, list, secrets and the harvest accounts.

A source's credential (``auth`` in its config) is a *name*; the secret itself is read
from standard input or the admin form and kept encrypted (AES-256-GCM with the portal's
encryption key) in ``<data dir>/secrets``, never in clear in the database, the command
line, a listing or a log line. URLs carrying credentials (``https://user:pass@host``) are
refused for the same reason. On several servers (issue 19) the sealed secret is kept in the
``harvest_secrets`` table instead, so that every job worker reads it; its key comes from the
environment, never from the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvesters.base import SOURCE_TYPES
from harvesters.config import SourceConfig, parse_config
from harvesters.model import HarvestSecret, HarvestSourceRow
from harvesters.schedule import validate_schedule
from publishers import (
    Accounts,
    Actor,
    Conflict,
    InvalidInput,
    NotFound,
    Role,
    system_email,
    utcnow,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,79}$")


@dataclass(frozen=True)
class SourceInfo:
    """A registered source as the CLI, the admin pages and the worker see it."""

    id: str
    name: str
    type: str
    url: str
    organization_id: str
    config: Mapping[str, Any]
    schedule: str
    secret_name: str
    has_secret: bool
    created: datetime
    last_run: datetime | None
    user_id: str | None
    approver_id: str | None

    @property
    def parsed(self) -> SourceConfig:
        """The validated config."""
        return parse_config(self.config, self.type)


class SecretStore:
    """Credentials of harvest sources, encrypted in a folder of the data dir, or (with
    ``sessions``, on several servers) sealed in the ``harvest_secrets`` table."""

    def __init__(
        self, folder: Path, key: bytes, sessions: sessionmaker[Session] | None = None
    ) -> None:
        self._folder = folder
        self._aead = AESGCM(key)
        self._sessions = sessions

    def _path(self, name: str) -> Path:
        if not re.match(r"^[a-z0-9][a-z0-9_.-]{0,99}$", name) or ".." in name:
            raise InvalidInput("bad credential name", {"auth": ["invalid_credential_name"]})
        return self._folder / f"{name}.secret"

    def put(self, name: str, secret: str) -> None:
        """Store ``secret`` under ``name`` (replacing it); the file is readable by us only."""
        if not secret.strip():
            raise InvalidInput("empty secret", {"secret": ["required"]})
        path = self._path(name)
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, secret.strip().encode(), name.encode())
        if self._sessions is not None:
            with self._sessions.begin() as session:
                row = session.get(HarvestSecret, name)
                if row is None:
                    session.add(HarvestSecret(name=name, sealed=sealed))
                else:
                    row.sealed, row.updated = sealed, utcnow()
            return
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(sealed)
        temp.replace(path)

    def _sealed(self, name: str) -> bytes | None:
        path = self._path(name)
        if self._sessions is not None:
            with self._sessions() as session:
                row = session.get(HarvestSecret, name)
                return bytes(row.sealed) if row is not None else None
        return path.read_bytes() if path.is_file() else None

    def get(self, name: str) -> str | None:
        """Return the secret stored under ``name``, or None."""
        data = self._sealed(name)
        if data is None:
            return None
        try:
            return self._aead.decrypt(data[:12], data[12:], name.encode()).decode()
        except InvalidTag:
            return None

    def has(self, name: str) -> bool:
        """Return whether a secret is stored under ``name``."""
        return bool(name) and self._sealed(name) is not None


def _info(row: HarvestSourceRow, secrets: SecretStore) -> SourceInfo:
    return SourceInfo(
        id=row.id,
        name=row.name,
        type=row.type,
        url=row.url,
        organization_id=row.organization_id,
        config=dict(row.config or {}),
        schedule=row.schedule,
        secret_name=row.secret_name,
        has_secret=secrets.has(row.secret_name),
        created=row.created,
        last_run=row.last_run,
        user_id=row.user_id,
        approver_id=row.approver_id,
    )


def check_url(source_type: str, url: str) -> str:
    """Return the URL if it fits the type; raise ``InvalidInput`` naming ``url``."""
    url = url.strip()
    parts = urlsplit(url)
    if source_type == "sql":
        if not parts.scheme.startswith(("sqlite", "postgresql", "postgres")):
            raise InvalidInput("bad url", {"url": ["expected_sqlite_or_postgresql_url"]})
        if parts.password:
            raise InvalidInput("password in url", {"url": ["password_in_url_use_auth"]})
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("bad url", {"url": ["expected_http_url"]})
    if parts.username or parts.password:
        raise InvalidInput("credentials in url", {"url": ["credentials_in_url_use_auth"]})
    return url


class HarvestSources:
    """Register and look up harvest sources."""

    def __init__(self, sessions: sessionmaker[Session], accounts: Accounts, secrets: SecretStore):
        self._sessions = sessions
        self._accounts = accounts
        self.secrets = secrets

    def register(
        self,
        name: str,
        source_type: str,
        url: str,
        organization: str,
        config: Mapping[str, Any] | str | None = None,
        schedule: str = "manual",
    ) -> SourceInfo:
        """Register a source and its harvest accounts; raise ``InvalidInput`` naming each key."""
        errors: dict[str, list[str]] = {}
        if not _NAME.match(name):
            errors["name"] = ["invalid_name"]
        if source_type not in SOURCE_TYPES:
            errors["type"] = ["unknown_type"]
        if errors:
            raise InvalidInput("invalid source", errors)
        url = check_url(source_type, url)
        parsed = parse_config(config, source_type)
        schedule = validate_schedule(schedule)
        org = self._accounts.get_organization(organization)
        raw = parse_raw(config)
        with self._sessions.begin() as session:
            if session.scalar(select(HarvestSourceRow).where(HarvestSourceRow.name == name)):
                raise Conflict("source exists", name=name)
            row = HarvestSourceRow(
                name=name,
                type=source_type,
                url=url,
                organization_id=org.id,
                config=raw,
                schedule=schedule,
                secret_name=parsed.auth,
            )
            session.add(row)
        return self.ensure_accounts(name)

    def update(
        self,
        name: str,
        *,
        url: str | None = None,
        config: Mapping[str, Any] | str | None = None,
        schedule: str | None = None,
    ) -> SourceInfo:
        """Change a source's URL, config or schedule (each validated as on registration)."""
        info = self.get(name)
        new_url = check_url(info.type, url) if url is not None else info.url
        parsed = parse_config(config, info.type) if config is not None else info.parsed
        new_schedule = validate_schedule(schedule) if schedule is not None else info.schedule
        with self._sessions.begin() as session:
            row = session.get(HarvestSourceRow, info.id)
            assert row is not None
            row.url = new_url
            if config is not None:
                row.config = parse_raw(config)
            row.secret_name = parsed.auth
            row.schedule = new_schedule
        return self.ensure_accounts(name)

    def ensure_accounts(self, name: str) -> SourceInfo:
        """Create the source's publisher and steward accounts and their memberships.

        ``harvest-<name>`` is a publisher of the source's organization and of every
        ``org_map`` target; ``harvest-<name>-steward`` is a steward there (it approves only
        when the source does not require review, and withdraws datasets whose approval
        was lost). Neither has a password: nobody can sign in as them.
        """
        info = self.get(name)
        targets = {info.organization_id}
        for local in info.parsed.org_map.values():
            org = self._accounts.find_organization(local)
            if org is None:
                raise InvalidInput("unknown organization", {"config.org_map": ["unknown_org"]})
            targets.add(org.id)
        user_id = self._account(f"harvest-{name}", info.user_id)
        steward_id = self._account(f"harvest-{name}-steward", info.approver_id)
        for org_id in sorted(targets):
            self._accounts.add_member(org_id, user_id, Role.PUBLISHER)
            self._accounts.add_member(org_id, steward_id, Role.STEWARD)
        with self._sessions.begin() as session:
            row = session.get(HarvestSourceRow, info.id)
            assert row is not None
            row.user_id, row.approver_id = user_id, steward_id
        return self.get(name)

    def _account(self, username: str, existing: str | None) -> str:
        if existing and self._accounts.find_user(existing):
            return existing
        found = self._accounts.find_user(username)
        if found is not None:
            return found.id
        return self._accounts.create_user(
            username, system_email(username), None, full_name="Harvester"
        ).id

    def actors(self, info: SourceInfo) -> tuple[Actor, Actor]:
        """Return the publisher and steward actors of the source."""
        if not info.user_id or not info.approver_id:
            info = self.ensure_accounts(info.name)
        assert info.user_id is not None and info.approver_id is not None
        return self._accounts.actor_for(info.user_id), self._accounts.actor_for(info.approver_id)

    def list(self) -> list[SourceInfo]:
        """Return every source, by name."""
        with self._sessions() as session:
            rows = session.scalars(select(HarvestSourceRow).order_by(HarvestSourceRow.name)).all()
            return [_info(row, self.secrets) for row in rows]

    def find(self, name_or_id: str) -> SourceInfo | None:
        """Return the source with that name or id, or None."""
        with self._sessions() as session:
            row = session.scalar(
                select(HarvestSourceRow).where(
                    (HarvestSourceRow.name == name_or_id) | (HarvestSourceRow.id == name_or_id)
                )
            )
            return _info(row, self.secrets) if row else None

    def get(self, name_or_id: str) -> SourceInfo:
        """Return the source with that name or id; raise ``NotFound``."""
        info = self.find(name_or_id)
        if info is None:
            raise NotFound("harvest source not found", name=name_or_id)
        return info

    def set_secret(self, name: str, secret: str) -> str:
        """Store the source's credential; return its name (``auth``, or the source's name)."""
        info = self.get(name)
        credential = info.secret_name
        if not credential:
            credential = info.name
            config = dict(info.config)
            config["auth"] = credential
            self.update(name, config=config)
        self.secrets.put(credential, secret)
        return credential

    def secret_of(self, info: SourceInfo) -> str | None:
        """Return the source's secret (for the runner only; never logged or shown)."""
        return self.secrets.get(info.secret_name) if info.secret_name else None

    def mark_run(self, source_id: str, when: datetime | None = None) -> None:
        """Record when the source last ran (the scheduler's reference)."""
        with self._sessions.begin() as session:
            row = session.get(HarvestSourceRow, source_id)
            if row is not None:
                row.last_run = when or utcnow()


def parse_raw(config: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """Return the config as a plain dict (validated by ``parse_config`` first)."""
    if isinstance(config, str):
        import json

        return dict(json.loads(config)) if config.strip() else {}
    return dict(config or {})
