"""Reports of personal data from the public: form, receipt, stewards' pages, e-mail."""

from __future__ import annotations

import re

from publishers import Role
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_org, make_user, publish_sample

SECRET = "Nguyễn Văn Canary 0912 345 678"


def _report(client, name: str, resource_id: str, text: str = SECRET):
    token = csrf_from(client, f"/dataset/{name}/report")
    return client.post(
        f"/dataset/{name}/report",
        data={"csrf_token": token, "resource_id": resource_id, "text": text, "contact_email": ""},
    )


def test_anonymous_report_reaches_the_stewards_only(services, client, auth, caplog) -> None:
    caplog.set_level("DEBUG")
    dataset, resource_id, _publisher, steward = publish_sample(services)
    public_page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert f"/dataset/{dataset.name}/report" in public_page

    sent = _report(client, dataset.name, resource_id)
    assert sent.status_code == 303
    receipt = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đã nhận" in receipt and "hai ngày làm việc" in receipt
    assert SECRET not in receipt

    mails = services.mailer.messages()
    report_mail = [m for m in mails if "Personal-data report" in str(m["Subject"])]
    assert len(report_mail) == 1
    assert SECRET not in report_mail[0].get_content()
    report_id = re.search(r"/review/reports/([0-9a-f-]+)", report_mail[0].get_content()).group(1)

    for text in (client.get(f"/dataset/{dataset.name}").get_data(as_text=True), caplog.text):
        assert SECRET not in text

    steward_user = services.accounts.find_user(steward.user_id)
    auth.login(steward_user.name, PASSWORD)
    listing = client.get("/review/reports").get_data(as_text=True)
    assert "Trạm dừng xe buýt giao thông" in listing
    detail = client.get(f"/review/reports/{report_id}").get_data(as_text=True)
    assert SECRET in detail and "Hạn xử lý" in detail
    token = csrf_from(client, f"/review/reports/{report_id}")
    client.post(
        f"/review/reports/{report_id}",
        data={"csrf_token": token, "status": "resolved", "note": "Đã xoá"},
    )
    assert "Đã giải quyết" in client.get(f"/review/reports/{report_id}").get_data(as_text=True)
    auth.logout()

    outsider = make_user(services, make_org(services), Role.STEWARD)
    auth.login(outsider.name, PASSWORD)
    assert client.get(f"/review/reports/{report_id}").status_code == 404
    assert SECRET not in client.get("/review/reports").get_data(as_text=True)


def test_report_form_needs_csrf_and_text_and_is_throttled(services, client) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    forged = client.post(f"/dataset/{dataset.name}/report", data={"text": "x"})
    assert forged.status_code == 400
    empty = _report(client, dataset.name, resource_id, text="")
    assert empty.status_code == 422 and "Hãy mô tả" in empty.get_data(as_text=True)
    for n in range(5):
        assert _report(client, dataset.name, resource_id, text=f"báo cáo {n}").status_code == 303
    throttled = _report(client, dataset.name, resource_id, text="thêm nữa")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3600"
    assert "Quá nhiều báo cáo" in throttled.get_data(as_text=True)


def test_no_report_form_for_unpublished_datasets(services, client) -> None:
    dataset, _r, _p, steward = publish_sample(services)
    services.workflow.withdraw(steward, dataset.name, "lý do")
    assert client.get(f"/dataset/{dataset.name}/report").status_code == 404
