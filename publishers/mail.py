"""Outgoing e-mail behind one small interface: SMTP, or files in the log folder.

SPEC §5: without ``OPENDATA_SMTP_URL`` mail is written to the log folder, so a fresh
install can still register users and reset passwords (the admin reads the files).
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
import tempfile
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)
SENDER = "Cổng dữ liệu mở <no-reply@opendata.local>"


@dataclass(frozen=True)
class Mail:
    """One plain-text message."""

    to: tuple[str, ...]
    subject: str
    body: str


class Mailer(Protocol):
    """Sends mail; raises ``OSError`` when it cannot."""

    def send(self, mail: Mail) -> None:
        """Send ``mail`` to every recipient."""
        ...


# Folding a long non-ASCII header at 78 columns drops the space at the fold (CPython's
# encoded-word folding: "Trạm sạc" arrives as "Trạmsạc"); fold only at RFC 5322's 998.
_POLICY = email.policy.default.clone(max_line_length=998)


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Message-ID"] = f"<{uuid.uuid4()}@opendata.local>"
    message.set_content(mail.body)
    return message


class FileMailer:
    """Writes each message as an ``.eml`` file into a folder (the default)."""

    def __init__(self, folder: Path, sender: str = SENDER) -> None:
        self.folder = folder
        self._sender = sender

    def send(self, mail: Mail) -> None:
        """Write the message atomically as ``<uuid>.eml``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = bytes(_message(mail, self._sender))
        with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as out:
            out.write(data)
        Path(out.name).rename(self.folder / f"{uuid.uuid4()}.eml")
        log.info("mail written", extra={"recipients": len(mail.to)})

    def messages(self) -> list[EmailMessage]:
        """Return the messages written so far (oldest first), for tests and admins."""
        from email import message_from_bytes, policy

        files = sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


class SmtpMailer:
    """Sends through an SMTP server: ``smtp://user:pass@host:port`` or ``smtps://``."""

    def __init__(self, url: str, sender: str = SENDER, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("the SMTP URL must look like smtp://user:pass@host:port")
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._tls else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender
        self._timeout = timeout

    def send(self, mail: Mail) -> None:
        """Deliver the message; STARTTLS is used when the server offers it."""
        message = _message(mail, self._sender)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._tls:
            smtp = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        with smtp:
            if not self._tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
            if self._user:
                smtp.login(self._user, self._password or "")
            smtp.send_message(message)
        log.info("mail sent", extra={"recipients": len(mail.to)})


def open_mailer(smtp_url: str, log_dir: Path) -> Mailer:
    """Return an SMTP mailer for ``smtp_url``, or a file mailer in ``log_dir/mail``."""
    if smtp_url:
        return SmtpMailer(smtp_url)
    return FileMailer(log_dir / "mail")
