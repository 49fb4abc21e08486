"""Controlled values of dataset metadata: licences and update frequencies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class License:
    """An open licence a dataset may carry; ``summary_*`` is the plain-language gist."""

    id: str
    title: str
    url: str
    spdx: str
    summary_vi: str
    summary_en: str


LICENSES: dict[str, License] = {
    lic.id: lic
    for lic in (
        License(
            "cc-by-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
            "CC-BY-4.0",
            "Được dùng, chia sẻ và sửa đổi cho mọi mục đích, kể cả thương mại, miễn là ghi nguồn.",
            (
                "Use, share and adapt for any purpose, including commercial, "
                "as long as you credit the source."
            ),
        ),
        License(
            "cc0-1.0",
            "Creative Commons Zero 1.0 (public domain)",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            "CC0-1.0",
            "Không giữ bản quyền: được dùng tự do, không cần ghi nguồn.",
            "No rights reserved: use freely, no attribution required.",
        ),
        License(
            "cc-by-sa-4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "CC-BY-SA-4.0",
            "Được dùng và sửa đổi nếu ghi nguồn và chia sẻ sản phẩm theo cùng giấy phép.",
            "Use and adapt with credit, sharing what you make under the same licence.",
        ),
        License(
            "odc-by",
            "Open Data Commons Attribution License 1.0",
            "https://opendatacommons.org/licenses/by/1-0/",
            "ODC-By-1.0",
            "Được dùng cơ sở dữ liệu cho mọi mục đích, miễn là ghi nguồn.",
            "Use the database for any purpose, as long as you credit the source.",
        ),
        License(
            "odc-odbl",
            "Open Data Commons Open Database License 1.0",
            "https://opendatacommons.org/licenses/odbl/1-0/",
            "ODbL-1.0",
            "Được dùng nếu ghi nguồn; cơ sở dữ liệu phái sinh phải chia sẻ theo cùng giấy phép.",
            "Use with credit; derived databases must be shared under the same licence.",
        ),
    )
}

DEFAULT_LICENSE_ID = "cc-by-4.0"
# The licence of a harvested dataset whose source licence the portal does not offer (or did
# not state, with no default): a steward chooses one when approving; it is never published.
# CKAN's own id for "License not specified".
LICENSE_NOT_CHOSEN = "notspecified"

# Update frequencies (accrual periodicity); the codes are those of the EU frequency
# authority table, so metadata/ maps them to URIs without a second table.
FREQUENCIES: dict[str, tuple[str, str]] = {
    "CONT": ("Liên tục", "Continuous"),
    "DAILY": ("Hằng ngày", "Daily"),
    "WEEKLY": ("Hằng tuần", "Weekly"),
    "MONTHLY": ("Hằng tháng", "Monthly"),
    "QUARTERLY": ("Hằng quý", "Quarterly"),
    "ANNUAL": ("Hằng năm", "Annual"),
    "IRREG": ("Không định kỳ", "Irregular"),
    "NEVER": ("Không cập nhật", "Never"),
}


def find_license(license_id: str) -> License | None:
    """Return the licence with that id, or None."""
    return LICENSES.get(license_id)


# CKAN's default licence register (``ckan/model/license.py`` ids) → the portal's licence
# with the same terms. The other CKAN ids (odc-pddl, other-open, other-pd, other-at,
# notspecified, cc-nc, gfdl, uk-ogl, other-nc, other-closed) have no equivalent here: they
# are either not open, or state no terms the portal could show, so they are refused.
CKAN_LICENSE_IDS: dict[str, str] = {
    "cc-by": "cc-by-4.0",
    "cc-by-sa": "cc-by-sa-4.0",
    "cc-zero": "cc0-1.0",
    "odc-by": "odc-by",
    "odc-odbl": "odc-odbl",
}


def license_from_ckan(license_id: str) -> str | None:
    """Return the portal's licence id for one of its own ids or a CKAN default id."""
    if license_id in LICENSES:
        return license_id
    return CKAN_LICENSE_IDS.get(license_id.lower())
