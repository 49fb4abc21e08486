"""personal-data reports from the public encrypted at rest (text and contact address)

Existing rows are encrypted with the portal's encryption key (``OPENDATA_ENCRYPTION_KEY``
or ``<data dir>/keys/encryption_key``: ``opendata db upgrade`` passes it). The contact
address column becomes TEXT (a sealed address is longer than 320 characters).

Revision ID: 0010_encrypted_reports
Revises: 0004_reports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0010_encrypted_reports"
down_revision = "0004_reports"
branch_labels = None
depends_on = None


def _encryption_key() -> bytes:
    key = context.config.attributes.get("encryption_key")
    if key:
        return bytes(key)
    from app.config import load_settings
    from app.keys import load_keys

    return load_keys(load_settings()).encryption_key


def upgrade() -> None:
    with op.batch_alter_table("personal_data_reports") as batch:
        batch.alter_column(
            "contact_email", existing_type=sa.String(length=320), type_=sa.Text()
        )
    from datasets.personal.encryption import TEXT_PREFIX, seal_text
    from datasets.leak_reports import sealed_context

    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, text, contact_email FROM personal_data_reports")
    ).fetchall()
    plain = [r for r in rows if not str(r.text).startswith(TEXT_PREFIX)]
    if not plain:
        return
    key = _encryption_key()
    for row in plain:
        bind.execute(
            sa.text(
                "UPDATE personal_data_reports SET text = :text, contact_email = :email "
                "WHERE id = :id"
            ),
            {
                "id": row.id,
                "text": seal_text(key, row.text, sealed_context(row.id, "text")),
                "email": seal_text(
                    key, row.contact_email or "", sealed_context(row.id, "contact_email")
                ),
            },
        )


def downgrade() -> None:
    raise NotImplementedError("reports stay encrypted: decrypt them with the key, not here")
