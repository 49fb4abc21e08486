"""Schemathesis against the live portal's /api/v1/openapi.json (issue 8: robustness).

The catalog holds published datasets made through the factories; schemathesis then
generates requests for every operation (with a steward's token, so writes run too) and
fails on any server error or any response that does not match the document.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.factories import make_user, publish_sample

pytestmark = pytest.mark.slow
METHODS = ("get", "put", "post", "delete", "patch")


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server, services, tmp_path
) -> None:
    for n in range(3):
        _dataset, _rid, _pub, steward = publish_sample(services, title=f"Bãi đỗ xe quận {n}")
    token = services.tokens.create(str(steward.user_id), "schemathesis")
    make_user(services)
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance,"
            "status_code_conformance",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "15",
            "--seed",
            "20260101",
            "--generation-deterministic",
            "--request-timeout",
            "20",
            "-H",
            f"Authorization: Bearer {token}",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", output)
    assert generated and generated.group(1) == generated.group(2), output[-3000:]
    assert int(generated.group(1)) > 150
    doc = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    operations = sum(1 for item in doc["paths"].values() for method in item if method in METHODS)
    assert operations >= 31
    assert re.search(rf"Tested:\s+{operations}\b", output), output[-3000:]  # every one ran
