"""Sign-in sessions end on the server: sign-out, password change, deactivation, lifetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from publishers import SignInSessions
from tests.factories import PASSWORD, make_user


def _copy_of_cookie(app, client):
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _account_page(client) -> tuple[int, str]:
    response = client.get("/user/account")
    return response.status_code, response.get_data(as_text=True)


def test_a_cookie_copied_before_sign_out_is_dead_afterwards(app, services, client, auth):
    user = make_user(services, name="ngoc-anh")
    auth.login(user.name, PASSWORD)
    thief = _copy_of_cookie(app, client)
    status, page = _account_page(thief)
    assert status == 200 and "ngoc-anh" in page  # the copy works while signed in
    auth.logout()
    status, page = _account_page(thief)
    assert status == 302 and "ngoc-anh" not in page
    assert "/user/login" in thief.get("/user/account").headers["Location"]


def test_signing_in_again_does_not_revive_an_ended_session(app, services, client, auth):
    user = make_user(services, name="minh-chau")
    auth.login(user.name, PASSWORD)
    thief = _copy_of_cookie(app, client)
    auth.logout()
    auth.login(user.name, PASSWORD)
    assert _account_page(client)[0] == 200
    assert _account_page(thief)[0] == 302


def test_deactivation_ends_every_session(app, services, client, auth):
    from tests.factories import actor

    user = make_user(services, name="bao-tram")
    admin = make_user(services, sysadmin=True)
    auth.login(user.name, PASSWORD)
    assert _account_page(client)[0] == 200
    services.admin.set_active(actor(services, admin), user.id, False)
    services.admin.set_active(actor(services, admin), user.id, True)
    assert _account_page(client)[0] == 302


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_sessions_end_after_the_idle_and_the_absolute_lifetime(services):
    user = make_user(services)
    clock = _Clock()
    store = SignInSessions(
        services.sessions, idle=timedelta(minutes=30), absolute=timedelta(hours=2), clock=clock
    )
    idle_key, busy_key = store.open(user.id), store.open(user.id)
    for _ in range(4):  # the busy one is used every 25 minutes, the idle one never
        clock.now += timedelta(minutes=25)
        assert store.check(user.id, busy_key)
    assert not store.check(user.id, idle_key)
    clock.now += timedelta(minutes=25)  # used 25 minutes ago, but 2 h 5 min after sign-in
    assert not store.check(user.id, busy_key)
    assert not store.check("someone-else", store.open(user.id))


def test_the_lifetimes_are_settings(app, services):
    assert services.signin_sessions.idle == timedelta(
        minutes=services.settings.session_idle_minutes
    )
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(
        hours=services.settings.session_max_hours
    )
