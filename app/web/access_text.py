"""The access levels of datasets in plain words (issue 18), for pages and forms."""

from __future__ import annotations

from flask_babel import gettext as _

from datasets.access import ACCESS_LEVELS


def access_level_text(level: str) -> tuple[str, str]:
    """The label of ``level`` and what it means for a reader, in the current language."""
    texts = {
        "public": (_("Public"), _("Anyone may download and reuse the data.")),
        "registered": (
            _("Signed-in users"),
            _("Anyone with an account on the portal may download the data: sign in first."),
        ),
        "agencies": (
            _("Government agencies"),
            _(
                "Staff of the agencies on the portal may read the data. Others may ask "
                "the publisher for access."
            ),
        ),
        "restricted": (
            _("Restricted"),
            _(
                "Only accounts or organizations the publisher granted access may read the "
                "data. Ask for access below, with the purpose and the legal basis."
            ),
        ),
        "catalog-only": (
            _("Catalog only"),
            _("The data is not available through the portal. Contact the publisher to obtain it."),
        ),
    }
    return texts.get(level, (level, ""))


def access_level_choices() -> list[tuple[str, str, str]]:
    """(level, label, explanation) of every level, in order, for the metadata form."""
    return [(level, *access_level_text(level)) for level in ACCESS_LEVELS]
