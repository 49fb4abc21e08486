"""Run the real OpenID Connect provider of tests/oidc (panva/oidc-provider on Node.js)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[2] / "oidc"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the single sign-on tests)")
    pytest.skip(reason)


@contextmanager
def oidc_provider(
    client_id: str, client_secret: str, redirect_uri: str, accounts: dict[str, dict[str, object]]
) -> Iterator[str]:
    """Start the provider on 127.0.0.1 and yield its issuer URL; stop it afterwards."""
    node = shutil.which("node")
    if node is None:
        _skip_or_fail("node is not installed: the OpenID Connect provider cannot run")
    if not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        _skip_or_fail("tests/oidc/node_modules is missing: run `npm ci --prefix tests/oidc`")
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(
        [str(node), "provider.mjs"],
        cwd=FOLDER,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        issuer = _wait_for_issuer(process)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_for_issuer(process: subprocess.Popen[str]) -> str:
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("listening "):
                found.append(line.split(" ", 1)[1].strip())
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=20)
    if not found:
        raise RuntimeError("the OpenID Connect provider did not start")
    return found[0]
