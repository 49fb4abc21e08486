"""``ckanapi load`` of a stock CKAN dump: CKAN's default licence ids on writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from publishers import Role
from tests.app.ckan_api.conftest import CkanPortal
from tests.conftest import conformance_dir
from tests.factories import make_user

BIN = Path(sys.executable).parent
RECORDED = "package_show.legado-dados-gov-br.bolsa-familia-pagamentos.json"


def _stock_package() -> dict[str, Any]:
    """A package dict recorded from a stock CKAN 2.9 portal (as ``ckanapi dump`` writes)."""
    folder = conformance_dir() / "ckan-api" / "frictionless-py-cassettes"
    package: dict[str, Any] = json.loads((folder / RECORDED).read_text())["result"]
    package["resources"] = package["resources"][:3]  # links elsewhere; three are enough
    return package


def _load(portal: CkanPortal, dump: Path, token: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    args = ["load", "datasets", "-I", str(dump), "-p", "1", "-r", portal.server.url, "-a", token]
    return subprocess.run(
        [str(BIN / "ckanapi"), *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_ckanapi_load_maps_ckan_licences_and_names_the_accepted_ids(
    portal: CkanPortal, tmp_path: Path
) -> None:
    svc = portal.services
    stock = _stock_package()
    org = svc.accounts.create_organization(
        stock["organization"]["name"], stock["organization"]["title"], email="mds@example.gov"
    )
    steward = make_user(svc, org, Role.STEWARD, name="mds-quanly")
    token = svc.tokens.create(steward.id, "load")
    licences = {"cc-by": "cc-by-4.0", "odc-odbl": "odc-odbl", "cc-zero": "cc0-1.0"}
    refused = ("other-open", "cc-nc")
    records = []
    for ckan_id in [*licences, *refused]:
        name = f"bolsa-familia-{ckan_id}"
        records.append({**stock, "id": str(uuid.uuid4()), "name": name, "license_id": ckan_id})
    dump = tmp_path / "stock.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))

    done = _load(portal, dump, token)

    assert done.returncode == 3, done.stderr[-2000:]  # ckanapi: some records failed
    ckan = portal.anonymous
    for ckan_id, ours in licences.items():
        loaded = ckan.action.package_show(id=f"bolsa-familia-{ckan_id}")
        assert (loaded["license_id"], loaded["state"]) == (ours, "active")
        assert loaded["title"] == stock["title"]
        assert [r["url"] for r in loaded["resources"]] == [r["url"] for r in stock["resources"]]
    failures = [line for line in done.stderr.splitlines() if "ValidationError" in line]
    assert len(failures) == len(refused)
    for ckan_id, line in zip(refused, failures, strict=True):
        # in the portal's default language, Vietnamese
        assert f"Giấy phép {ckan_id} không được cổng này cung cấp" in line
        assert "cc-by-4.0" in line and "cc-by-sa" in line  # the ids it accepts
    assert ckan.action.package_search(q="bolsa")["count"] == len(licences)
