"""E-mail notifications of the review workflow, of personal-data reports and of sharing.

Submissions go to the organization's stewards; approvals and rejections go to the
person who submitted. Access requests go to the owning organization's stewards; approvals,
refusals and revocations go to the person who asked. Messages are bilingual (Vietnamese
first) plain text with a link; they carry titles, names and the reviewer's comment, never
cell values or the text of a report from the public (which may itself hold personal data).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datasets.model import Activity, Dataset
from datasets.sharing_model import AccessRequest, Grant
from publishers import Accounts, Mail, Mailer, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Context:
    name: str
    title: str
    organization_id: str
    submitted_by: str | None


@dataclass(frozen=True)
class _SharingFacts:
    title: str
    name: str
    organization_id: str
    requester: str | None
    until: datetime | None
    reason: str


class Notifier:
    """Send the workflow's e-mails; register ``on_transition`` as a workflow listener."""

    def __init__(
        self, sessions: sessionmaker[Session], accounts: Accounts, mailer: Mailer, site_url: str
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._mailer = mailer
        self._site = site_url.rstrip("/")

    def on_transition(self, action: str, dataset_id: str) -> None:
        """Mail whoever needs to know about ``action`` (submit, approve, reject).

        System accounts (a harvester submitting and approving) are people to nobody: they
        are mailed nothing, and when nobody else is to be told nothing more is read.
        """
        if action not in ("submit", "approve", "reject"):
            return
        context = self._context(dataset_id)
        if context is None:
            return
        if action == "submit":
            to = self._accounts.member_emails(context.organization_id, Role.STEWARD)
        else:
            to = self._submitter_email(context.submitted_by)
        if not any(to):
            log.info("notification without recipients", extra={"action": action})
            return
        comment = self._last_comment(dataset_id)
        manage = f"{self._site}/dataset/{context.name}/manage"
        if action == "submit":
            subject = f"Chờ duyệt / Waiting for review: {context.title}"
            body = (
                f"Bộ dữ liệu «{context.title}» vừa được gửi duyệt.\n"
                f"The dataset “{context.title}” was submitted for review.\n\n"
                f"{self._site}/review\n{manage}\n"
            )
        elif action == "approve":
            subject = f"Đã duyệt / Approved: {context.title}"
            body = (
                f"Bộ dữ liệu «{context.title}» đã được duyệt và công bố.\n"
                f"The dataset “{context.title}” was approved and published.\n\n"
                f"{self._site}/dataset/{context.name}\n"
            )
            if comment:
                body += f"\nNhận xét / Comment: {comment}\n"
        else:
            subject = f"Bị trả lại / Rejected: {context.title}"
            body = (
                f"Bộ dữ liệu «{context.title}» bị trả lại. Nhận xét / Comment:\n\n"
                f"{comment}\n\n{manage}\n"
            )
        self._send(to, subject, body, action)

    def report_received(self, organization_id: str, report_id: str, dataset_title: str) -> None:
        """Tell the organization's stewards that the public reported personal data."""
        to = self._accounts.member_emails(organization_id, Role.STEWARD)
        subject = f"Báo cáo dữ liệu cá nhân / Personal-data report: {dataset_title}"
        body = (
            f"Có báo cáo về dữ liệu cá nhân trong bộ dữ liệu «{dataset_title}».\n"
            f"Someone reported personal data in the dataset “{dataset_title}”.\n"
            "Xử lý trong 2 ngày làm việc / Handle it within two working days:\n\n"
            f"{self._site}/review/reports/{report_id}\n"
        )
        self._send(to, subject, body, "report")

    def on_sharing(self, event: str, item_id: str) -> None:
        """Mail whoever needs to know about a sharing ``event`` (a ``Sharing`` listener).

        ``requested``/``approved``/``refused`` name an access request, ``revoked`` a grant.
        The mails carry titles, names, dates and the steward's reason, never data.
        """
        if event not in ("requested", "approved", "refused", "revoked"):
            return
        facts = self._sharing_facts(event, item_id)
        if facts is None:
            return
        title, name, org_id = facts.title, facts.name, facts.organization_id
        requester, until, reason = facts.requester, facts.until, facts.reason
        page = f"{self._site}/dataset/{name}"
        mine = f"{self._site}/user/access"
        if event == "requested":
            org = self._accounts.find_organization(org_id)
            to = self._accounts.member_emails(org_id, Role.STEWARD)
            who = self._accounts.find_user(requester) if requester else None
            subject = f"Yêu cầu truy cập dữ liệu / Access request: {title}"
            body = (
                f"{who.name if who else ''} yêu cầu truy cập bộ dữ liệu «{title}».\n"
                f"{who.name if who else ''} asked for access to the dataset “{title}”.\n\n"
                f"{self._site}/organization/{org.name if org else ''}/sharing\n"
            )
        elif event == "approved":
            to = self._submitter_email(requester)
            day = until.date().isoformat() if until is not None else ""
            subject = f"Yêu cầu được chấp thuận / Access approved: {title}"
            body = (
                f"Yêu cầu truy cập bộ dữ liệu «{title}» đã được chấp thuận đến {day}.\n"
                f"Your access to the dataset “{title}” was approved until {day}.\n\n"
                f"{page}\n{mine}\n"
            )
        elif event == "refused":
            to = self._submitter_email(requester)
            subject = f"Yêu cầu bị từ chối / Access refused: {title}"
            body = (
                f"Yêu cầu truy cập bộ dữ liệu «{title}» bị từ chối.\n"
                f"Your request for access to the dataset “{title}” was refused.\n\n"
                f"Lý do / Reason: {reason}\n\n{mine}\n"
            )
        else:
            to = self._submitter_email(requester)
            subject = f"Quyền truy cập bị thu hồi / Access revoked: {title}"
            body = (
                f"Quyền truy cập bộ dữ liệu «{title}» đã bị thu hồi.\n"
                f"Your access to the dataset “{title}” was revoked.\n\n{page}\n"
            )
        self._send(to, subject, body, f"sharing.{event}")

    def _sharing_facts(self, event: str, item_id: str) -> _SharingFacts | None:
        """What a sharing mail says: the dataset, who asked, until when, why refused."""
        with self._sessions() as session:
            if event == "revoked":
                grant = session.get(Grant, item_id)
                if grant is None:
                    return None
                asked = session.get(AccessRequest, grant.request_id) if grant.request_id else None
                requester = asked.requester_id if asked is not None else grant.user_id
                dataset, until, reason = session.get(Dataset, grant.dataset_id), None, ""
            else:
                request = session.get(AccessRequest, item_id)
                if request is None:
                    return None
                requester, dataset = request.requester_id, session.get(Dataset, request.dataset_id)
                approved = session.get(Grant, request.grant_id) if request.grant_id else None
                until = approved.expires if approved is not None else None
                reason = request.reason
            revision = dataset.live_revision if dataset is not None else None
            if dataset is None or revision is None:
                return None
            return _SharingFacts(
                revision.title_vi, dataset.name, dataset.organization_id, requester, until, reason
            )

    def _send(self, to: list[str], subject: str, body: str, action: str) -> None:
        recipients = tuple(sorted({address for address in to if address}))
        if not recipients:
            log.info("notification without recipients", extra={"action": action})
            return
        self._mailer.send(Mail(to=recipients, subject=subject, body=body))
        log.info("notification sent", extra={"action": action, "recipients": len(recipients)})

    def _submitter_email(self, user_id: str | None) -> list[str]:
        user = self._accounts.find_user(user_id) if user_id else None
        if user is None or not user.is_active or user.is_system:
            return []
        return [user.email]

    def _context(self, dataset_id: str) -> _Context | None:
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            if dataset is None:
                return None
            revision = dataset.working_revision or dataset.live_revision
            if revision is None:
                return None
            return _Context(
                name=dataset.name,
                title=revision.title_vi,
                organization_id=dataset.organization_id,
                submitted_by=revision.submitted_by,
            )

    def _last_comment(self, dataset_id: str) -> str:
        with self._sessions() as session:
            last = session.scalars(
                select(Activity)
                .where(Activity.dataset_id == dataset_id)
                .order_by(Activity.created.desc())
                .limit(1)
            ).first()
            return last.comment if last is not None else ""


__all__ = ["Notifier"]
