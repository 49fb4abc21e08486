"""The ``ckanapi`` command line against live portals: dump, search, and a load round trip."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from app.services import Services
from datasets.themes import save_theme
from publishers import Role
from tests.app.ckan_api.conftest import CkanPortal
from tests.factories import actor, make_user
from tests.servers import LiveServer

BIN = Path(sys.executable).parent


def _ckanapi(*args: str, timeout: int = 120) -> str:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(BIN / "ckanapi"), *args], capture_output=True, text=True, timeout=timeout, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _publish_with_theme(portal: CkanPortal) -> None:
    svc = portal.services
    admin = actor(svc, make_user(svc, sysadmin=True))
    save_theme(svc.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    portal.as_steward.action.package_patch(
        id=portal.dataset.name,
        groups=[{"name": "giao-thong"}],
        notes_translated={"vi": "Mô tả thử nghiệm.", "en": "Bus stops of the city."},
        state="active",
    )


def test_dump_datasets_all_writes_every_published_dataset(portal: CkanPortal) -> None:
    out = _ckanapi("dump", "datasets", "--all", "-q", "-r", portal.server.url)
    packages = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [p["title"] for p in packages] == ["Trạm dừng xe buýt giao thông"]
    resource = packages[0]["resources"][0]
    body = requests.get(resource["url"], timeout=10).content
    assert "sha256:" + hashlib.sha256(body).hexdigest() == resource["hash"]


def test_search_datasets_finds_by_unaccented_words(portal: CkanPortal) -> None:
    out = _ckanapi("search", "datasets", "q=xe buyt", "-r", portal.server.url)
    found = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [p["name"] for p in found] == [portal.dataset.name]
    assert _ckanapi("search", "datasets", "q=khong ton tai", "-r", portal.server.url).strip() == ""


def _second_services(server: LiveServer) -> Services:
    return server.app.extensions["opendata"]


def test_load_round_trip_into_a_second_portal(
    portal: CkanPortal, second_portal: LiveServer, tmp_path: Path
) -> None:
    _publish_with_theme(portal)
    source = portal.anonymous.action.package_show(id=portal.dataset.name)
    dump = tmp_path / "datasets.jsonl"
    _ckanapi("dump", "datasets", "--all", "-q", "-r", portal.server.url, "-O", str(dump))
    # The second portal: the same organization and theme, a steward with a token.
    other = _second_services(second_portal)
    org = source["organization"]
    other.accounts.create_organization(org["name"], org["title"], email=org["email"])
    admin = actor(other, make_user(other, sysadmin=True, name="quantri"))
    save_theme(other.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    local_org = other.accounts.get_organization(org["name"])
    steward = make_user(other, local_org, Role.STEWARD, name="quanly")
    token = other.tokens.create(steward.id, "load")
    _ckanapi("load", "datasets", "-I", str(dump), "-p", "1", "-r", second_portal.url, "-a", token)
    loaded = requests.get(
        f"{second_portal.url}/api/3/action/package_show", params={"id": source["name"]}, timeout=10
    ).json()["result"]
    assert (loaded["state"], loaded["private"]) == ("active", False)  # published there
    for key in ("title", "notes", "title_translated", "notes_translated", "license_id"):
        assert loaded[key] == source[key], key
    assert [t["name"] for t in loaded["tags"]] == [t["name"] for t in source["tags"]]
    assert [g["name"] for g in loaded["groups"]] == ["giao-thong"]
    assert loaded["organization"]["name"] == org["name"] and loaded["owner_org"] == local_org.id
    assert len(loaded["resources"]) == 1
    original = requests.get(source["resources"][0]["url"], timeout=10).content
    copied = requests.get(loaded["resources"][0]["url"], timeout=10).content
    digest = "sha256:" + hashlib.sha256(copied).hexdigest()
    assert copied == original and digest == source["resources"][0]["hash"]
    # loading the same dump again changes nothing visible
    _ckanapi("load", "datasets", "-I", str(dump), "-p", "1", "-r", second_portal.url, "-a", token)
    again = requests.get(
        f"{second_portal.url}/api/3/action/package_show", params={"id": source["name"]}, timeout=10
    ).json()["result"]
    assert [r["id"] for r in again["resources"]] == [r["id"] for r in loaded["resources"]]
    assert again["title"] == source["title"] and again["state"] == "active"
