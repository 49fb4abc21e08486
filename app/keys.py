"""Secret keys: from the environment, or key files created once in the data dir."""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings, SettingsError

_KEY_FILES = {"secret_key": 48, "encryption_key": 32, "hash_key": 32}


@dataclass(frozen=True)
class Keys:
    """The portal's secrets, as bytes or strings ready to use."""

    secret_key: str
    encryption_key: bytes
    hash_key: bytes


def ensure_key_files(data_dir: Path) -> list[str]:
    """Create each missing key file in ``data_dir/keys``; return the names created.

    Each file is written to a temporary name and hard-linked into place: the link fails
    if another process won the race, so every process ends up reading the same key.
    """
    folder = data_dir / "keys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = []
    for name, size in _KEY_FILES.items():
        target = folder / name
        if target.exists():
            continue
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(size))
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, target)
                created.append(name)
            except FileExistsError:
                pass
        finally:
            Path(tmp).unlink(missing_ok=True)
    return created


def load_keys(settings: Settings) -> Keys:
    """Return the keys: environment settings first, then the data dir's key files.

    Raises ``SettingsError`` naming the missing key when neither exists.
    """
    values: dict[str, str] = {}
    for name in _KEY_FILES:
        value = getattr(settings, name)
        if not value:
            path = settings.data_dir / "keys" / name
            if not path.is_file():
                raise SettingsError(
                    f"OPENDATA_{name.upper()} is not set and {path} does not exist: "
                    "run `opendata db upgrade` first"
                )
            value = path.read_text().strip()
        values[name] = value
    return Keys(
        secret_key=values["secret_key"],
        encryption_key=bytes.fromhex(values["encryption_key"]),
        hash_key=bytes.fromhex(values["hash_key"]),
    )
