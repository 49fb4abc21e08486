"""The repository's structure stays as designed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import datasets

ROOT = Path(__file__).resolve().parents[1]


def test_datasets_package_is_ours_not_the_pypi_distribution() -> None:
    assert Path(datasets.__file__).resolve().is_relative_to(ROOT)


def test_every_cli_command_is_in_the_readme() -> None:
    from click import Context, Group

    from app.cli import main

    readme = (ROOT / "README.md").read_text()

    def walk(group: Group, prefix: str) -> list[str]:
        names = []
        context = Context(group)
        listed = [*group.commands, *getattr(group, "lazy_commands", {})]  # loaded on demand
        for name in listed:
            command = group.get_command(context, name)
            if command is None or command.hidden:  # internal commands of the supervisor
                continue
            full = f"{prefix} {name}"
            names.extend(walk(command, full) if isinstance(command, Group) else [full])
        return names

    commands = walk(main, "opendata")
    assert len(commands) >= 10
    assert [c for c in commands if f"`{c}" not in readme] == []


def test_compiled_catalogs_are_up_to_date() -> None:
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    for locale in ("vi", "en"):
        folder = ROOT / "app" / "translations" / locale / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
            source, compiled = read_po(po), read_mo(mo)
        source_ids = {m.id for m in source if m.id and m.string}
        compiled_ids = {m.id for m in compiled if m.id}
        assert source_ids <= compiled_ids, f"{locale}: run `make translations`"


def test_vietnamese_catalog_translates_every_message() -> None:
    from babel.messages.pofile import read_po

    with (ROOT / "app/translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert len(catalog) > 150


def test_no_template_uses_an_external_asset() -> None:
    pattern = re.compile(r'(src|href)="(https?:)?//', re.I)
    for template in (ROOT / "app" / "templates").rglob("*.html"):
        assert not pattern.search(template.read_text()), template


def test_every_name_of_the_datasets_face_is_importable() -> None:
    import importlib
    import subprocess
    import sys

    for package in ("datasets", "datasets.validation", "datasets.ingest"):
        face = importlib.import_module(package)
        assert len(face.__all__) == len(set(face.__all__)), package
        missing = [name for name in face.__all__ if not hasattr(face, name)]
        assert missing == [], package
    assert {"Workflow", "DatasetEditor", "PublicCatalog", "Reports"} <= set(datasets.__all__)
    # The ORM model is imported from datasets.model by the modules allowed to (import-linter).
    from_model = [
        n
        for n in datasets.__all__
        if getattr(getattr(datasets, n), "__module__", "") == "datasets.model"
    ]
    assert from_model == []
    # A fresh interpreter, so no import order of this test run hides an import cycle.
    star = (
        "from datasets import *; from datasets.validation import *; from datasets.ingest import *"
    )
    subprocess.run([sys.executable, "-c", star], cwd=ROOT, check=True)


# Modules still over the limit, each waiting for its split. Remove an entry once it is split.
OVERSIZED_FOR_NOW: set[str] = set()
MAX_MODULE_LINES = 500


def test_no_module_of_the_project_is_over_500_lines() -> None:
    packages = ("app", "datasets", "metadata", "publishers", "harvesters", "search_index")
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text().splitlines())
        for package in packages
        for path in (ROOT / package).rglob("*.py")
    }
    assert len(sizes) > 100
    too_long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert {k: v for k, v in too_long.items() if k not in OVERSIZED_FOR_NOW} == {}
    assert not OVERSIZED_FOR_NOW - too_long.keys(), "split now: remove it from OVERSIZED_FOR_NOW"


def test_importing_one_module_of_datasets_does_not_import_the_whole_package() -> None:
    """The package face is lazy: ``datasets.text`` alone loads neither the ORM nor the queue."""
    code = (
        "import sys, datasets.text, datasets.validation;"
        "print(sorted(m for m in ('sqlalchemy', 'huey', 'datasets.workflow', 'datasets.personal')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    from datasets import Workflow
    from datasets.validation import validate_and_scan
    from datasets.workflow import Workflow as Direct

    assert Workflow is Direct and callable(validate_and_scan)
