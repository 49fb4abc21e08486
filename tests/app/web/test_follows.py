"""Following a dataset (issue 21): the button, /user/following, the followers' mails and
their unsubscribe link, and the per-dataset Atom feed."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

from datasets.metadata_input import DatasetMetadata
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user, publish_sample

ATOM = "{http://www.w3.org/2005/Atom}"
STOP_LINK = re.compile(r"https?://\S+/user/following/stop/(\S+)")


def _mails_to(services, address: str) -> list:
    return [m for m in services.mailer.messages() if address in str(m["To"])]


def _revise(services, publisher, steward, name: str, comment: str, **meta: object) -> None:
    """Publish a new version of ``name``: edit its metadata, submit, approve with a note."""
    fields = {"title_vi": "Trạm dừng xe buýt giao thông", "description_vi": "Mô tả mới.", **meta}
    services.editor.update_metadata(
        publisher, name, DatasetMetadata(**fields), expected_version=None
    )
    services.workflow.submit(publisher, name)
    services.workflow.approve(steward, name, comment)


def test_follow_and_unfollow_from_the_dataset_page(services, client, auth) -> None:
    dataset, *_ = publish_sample(services)
    reader = make_user(services, name="follower-page")
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert f'action="/dataset/{dataset.name}/follow"' not in page  # signed out: a sign-in link
    assert auth.login(reader.name, PASSWORD).status_code == 302
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert f'action="/dataset/{dataset.name}/follow"' in page
    assert "Theo dõi" in page
    token = csrf_from(client, f"/dataset/{dataset.name}")
    response = client.post(f"/dataset/{dataset.name}/follow", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert f'action="/dataset/{dataset.name}/unfollow"' in page
    assert "Bỏ theo dõi" in page
    listing = client.get("/user/following").get_data(as_text=True)
    assert "Trạm dừng xe buýt giao thông" in listing
    assert f'href="/dataset/{dataset.name}"' in listing
    token = csrf_from(client, "/user/following")
    client.post(f"/dataset/{dataset.name}/unfollow", data={"csrf_token": token})
    listing = client.get("/user/following").get_data(as_text=True)
    assert f'href="/dataset/{dataset.name}"' not in listing
    assert services.follows.following(services.accounts.actor_for(reader.id)) == []


def test_following_needs_a_sign_in(services, client) -> None:
    dataset, *_ = publish_sample(services)
    token = csrf_from(client, "/user/login")
    response = client.post(f"/dataset/{dataset.name}/follow", data={"csrf_token": token})
    assert response.status_code in (302, 401)
    assert "/user/login" in response.headers.get("Location", "/user/login")
    assert client.get("/user/following").status_code in (302, 401)


def test_a_new_version_is_mailed_to_followers_and_the_link_unsubscribes_without_a_session(
    services, app
) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    follower = make_user(services, name="follower-mail")
    services.follows.follow(services.accounts.actor_for(follower.id), dataset.name)
    # A draft edit and its submission reach nobody who merely follows.
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Trạm dừng xe buýt giao thông", description_vi="Nháp."),
        expected_version=None,
    )
    services.workflow.submit(publisher, dataset.name)
    assert _mails_to(services, follower.email) == []
    services.workflow.approve(steward, dataset.name, "Thêm các trạm của quận 7")
    mails = _mails_to(services, follower.email)
    assert len(mails) == 1
    mail = mails[0]
    assert "Trạm dừng xe buýt giao thông" in mail["Subject"]
    assert "New version" in mail["Subject"]
    body = mail.get_content()
    assert "Thêm các trạm của quận 7" in body
    assert f"/dataset/{dataset.name}" in body
    assert "data.csv" not in body  # no file, no row: metadata only
    link = STOP_LINK.search(body)
    assert link is not None
    path = f"/user/following/stop/{link.group(1)}"
    stranger = app.test_client()  # no session: the link alone is enough
    page = stranger.get(path).get_data(as_text=True)
    assert "Trạm dừng xe buýt giao thông" in page
    assert services.follows.is_following(services.accounts.actor_for(follower.id), dataset.id)
    token = csrf_from(stranger, path)
    done = stranger.post(path, data={"csrf_token": token})
    assert done.status_code == 200
    assert not services.follows.is_following(services.accounts.actor_for(follower.id), dataset.id)
    # A second approval mails nobody any more.
    _revise(services, publisher, steward, dataset.name, "Lần hai")
    assert len(_mails_to(services, follower.email)) == 1
    damaged = stranger.get(path[:-3] + "xyz")
    assert damaged.status_code == 400


def test_withdrawal_is_mailed_to_followers(services) -> None:
    dataset, _rid, _publisher, steward = publish_sample(services)
    follower = make_user(services, name="follower-withdraw")
    services.follows.follow(services.accounts.actor_for(follower.id), dataset.name)
    services.workflow.withdraw(steward, dataset.name, "Số liệu sai")
    mails = _mails_to(services, follower.email)
    assert len(mails) == 1
    assert "Withdrawn" in mails[0]["Subject"]
    assert "Số liệu sai" in mails[0].get_content()
    items = services.follows.following(services.accounts.actor_for(follower.id))
    assert [(i.name, i.published) for i in items] == [(dataset.name, False)]


def test_dataset_feed_lists_publications_with_their_note(services, client) -> None:
    dataset, rid, publisher, steward = publish_sample(services)
    _revise(services, publisher, steward, dataset.name, "Cập nhật tháng 6")
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Thay đổi của bộ dữ liệu này" '
        f'href="/dataset/{dataset.name}/feed.atom">'
    ) in page
    response = client.get(f"/dataset/{dataset.name}/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    site = services.settings.site_url.rstrip("/")
    assert feed.findtext(f"{ATOM}id") == f"{site}/dataset/{dataset.name}/feed.atom"
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    newest, first = entries
    assert newest.findtext(f"{ATOM}title").startswith("Công bố phiên bản mới")
    assert newest.findtext(f"{ATOM}summary") == "Cập nhật tháng 6"
    assert newest.findtext(f"{ATOM}updated").endswith("Z")
    assert feed.findtext(f"{ATOM}updated") == newest.findtext(f"{ATOM}updated")
    related = [link.get("href") for link in newest.findall(f"{ATOM}link[@rel='related']")]
    assert related == [f"{site}/dataset/{dataset.name}/resource/{rid}"]
    assert first.findtext(f"{ATOM}id") != newest.findtext(f"{ATOM}id")
    services.workflow.withdraw(steward, dataset.name, "Tạm rút")
    assert client.get(f"/dataset/{dataset.name}/feed.atom").status_code == 404


def test_feed_of_a_dataset_that_is_not_public_carries_metadata_only(services, client) -> None:
    dataset, rid, publisher, steward = publish_sample(services)
    _revise(services, publisher, steward, dataset.name, "Chỉ cơ quan", access_level="agencies")
    response = client.get(f"/dataset/{dataset.name}/feed.atom")
    text = response.get_data(as_text=True)
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}summary") == "Chỉ cơ quan"
    assert feed.findall(f".//{ATOM}link[@rel='related']") == []
    assert rid not in text and "/download" not in text


def test_following_twice_keeps_one_follow(services) -> None:
    dataset, *_ = publish_sample(services)
    follower = make_user(services, name="follower-twice")
    other = make_user(services, name="follower-twice-2")
    services.follows.follow(services.accounts.actor_for(follower.id), dataset.name)
    services.follows.follow(services.accounts.actor_for(follower.id), dataset.name)
    assert len(services.follows.following(services.accounts.actor_for(follower.id))) == 1
    assert services.follows.following(services.accounts.actor_for(other.id)) == []


def test_changes_close_together_are_told_in_one_mail(services, tmp_path) -> None:
    from huey import MemoryHuey
    from sqlalchemy import select

    from datasets.follows import JOB_NOTIFY_FOLLOWERS, Follows
    from datasets.model import Activity
    from datasets.queue import HueyQueue
    from publishers import FileMailer

    dataset, _rid, publisher, steward = publish_sample(services)
    follower = make_user(services, name="follower-batch")
    services.follows.follow(services.accounts.actor_for(follower.id), dataset.name)
    mailer = FileMailer(tmp_path / "batched")
    queue = HueyQueue(MemoryHuey("batch-test", results=False), {})
    batcher = Follows(
        services.sessions,
        services.accounts,
        mailer,
        queue,
        secret_key=services.keys.secret_key,
        site_url="http://portal.example",
        batch_window=timedelta(minutes=10),
    )
    queue.register(JOB_NOTIFY_FOLLOWERS, batcher.notify_job)
    _revise(services, publisher, steward, dataset.name, "Lần một")
    _revise(services, publisher, steward, dataset.name, "Lần hai")
    services.workflow.withdraw(steward, dataset.name, "Rút để sửa")
    batcher.on_transition("withdraw", dataset.id)
    (queued,) = queue.huey.pending()  # queued to run after the window, not run now
    assert queued.eta is not None and queued.args[0] == JOB_NOTIFY_FOLLOWERS
    assert not mailer.folder.exists()  # nothing mailed yet
    with services.sessions() as session:
        ids = list(
            session.scalars(
                select(Activity.id)
                .where(Activity.dataset_id == dataset.id)
                .where(Activity.action.in_(("approve", "withdraw")))
                .order_by(Activity.created)
            )
        )
    assert len(ids) == 4
    sent = [batcher.notify_job({"dataset_id": dataset.id, "activity_id": i}) for i in ids]
    assert sent == [0, 0, 0, 1]  # only the last change's job mails, telling all four
    (mail,) = mailer.messages()
    assert "4 changes" in mail["Subject"]
    body = mail.get_content()
    assert body.index("Lần một") < body.index("Lần hai") < body.index("Rút để sửa")
    assert body.count("published a new version") == 3
    assert "http://portal.example/user/following/stop/" in body
