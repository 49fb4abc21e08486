"""Reports of personal data are encrypted at rest; stewards still read them on their page."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import UTC, datetime

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.database import alembic_config, upgrade_database
from tests.conftest import csrf_from
from tests.factories import PASSWORD, publish_sample

SECRET = "Nguyễn Văn Canary 0912 345 678"
ADDRESS = "nguoi-bao@example.org"


def test_report_text_and_address_are_encrypted_in_the_database(services, client, auth):
    dataset, resource_id, _publisher, steward = publish_sample(services)
    token = csrf_from(client, f"/dataset/{dataset.name}/report")
    sent = client.post(
        f"/dataset/{dataset.name}/report",
        data={
            "csrf_token": token,
            "resource_id": resource_id,
            "text": SECRET,
            "contact_email": ADDRESS,
        },
    )
    assert sent.status_code == 303
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, text, contact_email FROM personal_data_reports"))
        ((report_id, stored_text, stored_email),) = rows.fetchall()
    assert stored_text.startswith("enc1:") and stored_email.startswith("enc1:")
    for needle in ("Canary", "0912", ADDRESS, "nguoi-bao"):
        assert needle not in stored_text and needle not in stored_email
    auth.login(services.accounts.get_user(steward.user_id).name, PASSWORD)
    page = client.get(f"/review/reports/{report_id}").get_data(as_text=True)
    assert SECRET in page and ADDRESS in page


def test_the_migration_encrypts_existing_reports(tmp_path, services):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    script = ScriptDirectory.from_config(config)
    for head in script.get_heads():  # every branch, reports as they were before 0010
        command.upgrade(config, "0004_reports" if head == "0010_encrypted_reports" else head)
    report_id = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(tmp_path / "old.sqlite3") as conn:
        conn.execute(
            "INSERT INTO personal_data_reports (id, dataset_id, organization_id, text, "
            "contact_email, status, received_at, deadline, note, client_key) "
            "VALUES (?, 'd', 'o', ?, ?, 'received', ?, ?, '', '')",
            (report_id, SECRET, ADDRESS, now, now),
        )
    key = services.keys.encryption_key
    upgrade_database(url, encryption_key=key)
    with sqlite3.connect(tmp_path / "old.sqlite3") as conn:
        stored_text, stored_email = conn.execute(
            "SELECT text, contact_email FROM personal_data_reports"
        ).fetchone()
    assert stored_text.startswith("enc1:") and "Canary" not in stored_text
    assert stored_email.startswith("enc1:") and not re.search("example", stored_email)
    from datasets.leak_reports import sealed_context
    from datasets.personal.encryption import open_text

    assert open_text(key, stored_text, sealed_context(report_id, "text")) == SECRET
    assert open_text(key, stored_email, sealed_context(report_id, "contact_email")) == ADDRESS
