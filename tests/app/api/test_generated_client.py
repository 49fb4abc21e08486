"""A client generated from the live OpenAPI document runs the README's example (issue 23).

The generator is ``openapi-python-client`` (pinned in the ``test`` extra), run as a program on
the document the live portal serves, into a temporary folder. It takes about ten seconds
(printed with ``-s``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from publishers import Role
from tests.factories import make_org, make_user, publish_sample

ROOT = Path(__file__).resolve().parents[3]
CONFIG = (
    "package_name_override: opendata_client\n"
    "content_type_overrides:\n"
    "  application/zip: application/octet-stream\n"
)


def _generate(document_url: str, folder: Path) -> Path:
    (folder / "openapi.json").write_bytes(requests.get(document_url, timeout=30).content)
    (folder / "client.yml").write_text(CONFIG)
    binaries = Path(sys.executable).parent
    started = time.monotonic()
    done = subprocess.run(
        [
            str(binaries / "openapi-python-client"),
            "generate",
            "--path",
            "openapi.json",
            "--output-path",
            "opendata_client",
            "--meta",
            "none",
            "--config",
            "client.yml",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{binaries}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    print(f"openapi-python-client generate: {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, done.stdout + done.stderr
    # every operation generated, no part left out
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    return folder / "opendata_client"


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python client\n(.*?)```", text, re.DOTALL)
    return block


def test_generated_client_runs_the_readme_example(live_server, services, tmp_path) -> None:
    dataset, _rid, _p, _s = publish_sample(services)
    services.build_bulk_archive()
    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    token = services.tokens.create(user.id, "client")
    package = _generate(f"{live_server.url}/api/v1/openapi.json", tmp_path)
    assert (package / "api" / "records" / "get_records.py").exists()
    sys.path.insert(0, str(tmp_path))
    out = io.StringIO()
    try:
        namespace: dict[str, Any] = {"BASE": live_server.url, "TOKEN": token, "ORG": org.name}
        with contextlib.redirect_stdout(out):
            exec(compile(_readme_example(), "README.md (client)", "exec"), namespace)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "opendata_client"]:
            del sys.modules[name]
    lines = out.getvalue().splitlines()
    assert lines[0] == "['Trạm Bến Thành', 'Trạm Chợ Lớn'] 4"
    assert lines[1] == "2 stops in the box"
    assert f"('{dataset.name}', <ChangeChange.PUBLISHED: 'published'>)" in lines[2]
    (archive,) = services.bulk.listed()
    assert lines[3] == f"[('{archive.filename}', '{archive.sha256}')]"
    name, state = lines[4].split()
    assert state == "draft"
    assert services.catalog.get(name) is None  # a draft, not published
