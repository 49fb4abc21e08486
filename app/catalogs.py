"""Keep the translation catalogs in step with the code: `python -m app.catalogs`.

Extracts every message of `app/` into `messages.pot`, updates the Vietnamese and English
catalogs, fills Vietnamese translations from `app/translations/pending/*.json` (a
{"English message": "Vietnamese translation"} object per area, so several people can add
messages without editing the same file), and compiles the `.mo` files. Existing
translations in `messages.po` win over pending ones. Safe to run concurrently (file lock).
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("vi", "en")


def _pending() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((TRANSLATIONS / "pending").glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def update_catalogs() -> list[str]:
    """Extract, merge and compile; return the Vietnamese messages still untranslated."""
    pot = TRANSLATIONS / "messages.pot"
    with (TRANSLATIONS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(  # noqa: S603 -- fixed argv: the venv's pybabel and our own paths
            [
                str(Path(sys.executable).parent / "pybabel"),
                "extract",
                "--no-location",
                "-F",
                str(ROOT / "babel.cfg"),
                "-k",
                "_",
                "-k",
                "gettext",
                "-k",
                "ngettext",
                "-k",
                "lazy_gettext",
                "-o",
                str(pot),
                str(ROOT),
            ],
            check=True,
            capture_output=True,
        )
        pending = _pending()
        missing: list[str] = []
        for locale in LOCALES:
            folder = TRANSLATIONS / locale / "LC_MESSAGES"
            folder.mkdir(parents=True, exist_ok=True)
            po_path = folder / "messages.po"
            existing: dict[str, str] = {}
            if po_path.exists():
                with po_path.open("rb") as handle:
                    existing = {
                        m.id: str(m.string or "") for m in read_po(handle) if isinstance(m.id, str)
                    }
            with pot.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            for message in catalog:
                if not isinstance(message.id, str) or not message.id:
                    continue
                if locale == "vi":
                    message.string = existing.get(message.id) or pending.get(message.id, "")
                    if not message.string:
                        missing.append(message.id)
            catalog.project, catalog.version, catalog.fuzzy = "opendata-portal", "0.1", False
            with po_path.open("wb") as out:
                write_po(out, catalog, width=100)
            with (folder / "messages.mo").open("wb") as out:
                write_mo(out, catalog)
        return missing


if __name__ == "__main__":
    untranslated = update_catalogs()
    for message in untranslated:
        print(f"untranslated: {message!r}")
    sys.exit(1 if untranslated else 0)
