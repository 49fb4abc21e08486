"""The Dockerfile cannot be built here (no Docker engine), so it is checked statically."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(
        Path(__import__("sys").executable).parent / "hadolint"
    )
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_as_non_root_with_the_data_volume() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in text
    assert 'VOLUME ["/data"]' in text
    assert "OPENDATA_DATA_DIR=/data" in text
    for folder in ("app", "datasets", "metadata", "publishers", "harvesters", "search_index"):
        assert f"COPY {folder} ./{folder}" in text
