"""An API upload is encrypted into the vault as it is received (issue 24).

No plaintext copy goes to staging; the text fields may come before or after the file; a
refused or broken upload leaves nothing in the vault.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.services import open_stores
from datasets.model import ResourceVersion
from tests.app.api.conftest import Team, create_draft

TABLE = (
    "mã,phường,số_người,ghi_chú\n"
    "1,Phường Bến Nghé,4,nhà phố\n"
    "2,Phường Đa Kao,2,chung cư\n"
    "3,Phường Tân Định,5,nhà trọ\n"
).encode()
BOUNDARY = "streamtest7f3a"


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if filename is not None:
        head += "Content-Type: application/octet-stream\r\n"
    return head.encode() + b"\r\n" + value + b"\r\n"


def _post(client, name: str, body: bytes, headers: dict[str, str]):
    return client.post(
        f"/api/v1/datasets/{name}/resources",
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=headers,
    )


def _vault_blobs(services) -> list[Path]:
    root = open_stores(services.settings)[1].root
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]


def test_upload_goes_to_the_vault_without_staging_with_fields_after_the_file(
    client, services, team: Team
) -> None:
    name = create_draft(client, team)
    body = (
        _part("file", TABLE, filename="ho_dan")  # no suffix: the format field names it
        + _part("format", b"CSV")
        + _part("name", "Hộ dân theo phường".encode())
        + f"--{BOUNDARY}--\r\n".encode()
    )
    answer = _post(client, name, body, team.publisher)
    assert answer.status_code == 201, answer.get_json()
    resource = answer.get_json()
    assert resource["name"] == "Hộ dân theo phường" and resource["status"] == "ready"
    report = client.get(
        f"/api/v1/datasets/{name}/resources/{resource['id']}/validation", headers=team.publisher
    ).get_json()
    assert report["valid"] is True and report["row_count"] == 3
    # Nothing went through staging: the plaintext never touched the disk there.
    assert not (services.settings.data_dir / "staging").exists()
    with services.sessions() as session:
        version = session.query(ResourceVersion).filter_by(resource_id=resource["id"]).one()
        key, sha256, size = version.original_key, version.original_sha256, version.original_size
        assert version.original_filename == "ho_dan.csv"
    assert sha256 == hashlib.sha256(TABLE).hexdigest() and size == len(TABLE)
    stored = open_stores(services.settings)[1]
    with stored.open(key) as raw:
        assert TABLE[:20] not in raw.read()  # encrypted at rest
    with services.vault.decrypted(key) as plain:
        assert plain.read_bytes() == TABLE


def test_refused_upload_is_not_stored(client, services, team: Team) -> None:
    name = create_draft(client, team)
    before = _vault_blobs(services)
    body = _part("file", TABLE, filename="ho_dan.csv") + f"--{BOUNDARY}--\r\n".encode()
    answer = _post(client, name, body, team.outsider)
    assert answer.status_code in (403, 404), answer.get_json()
    assert _vault_blobs(services) == before


def test_broken_body_after_the_file_leaves_nothing_in_the_vault(
    client, services, team: Team
) -> None:
    name = create_draft(client, team)
    before = _vault_blobs(services)
    # The file part is whole, then the body ends inside a field: no closing boundary.
    body = _part("file", TABLE, filename="ho_dan.csv") + _part("name", b"cut")[:-10]
    answer = _post(client, name, body, team.publisher)
    assert answer.status_code == 422, answer.get_json()
    assert _vault_blobs(services) == before
    with services.sessions() as session:
        assert session.query(ResourceVersion).count() == 0


def test_upload_without_a_file_is_refused(client, services, team: Team) -> None:
    name = create_draft(client, team)
    body = (
        _part("name", b"no file") + _part("file", b"", filename="") + f"--{BOUNDARY}--\r\n".encode()
    )
    answer = _post(client, name, body, team.publisher)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["fields"] == {"file": ["required"]}
