"""How every metadata document states a dataset's access level (issue 18).

DCAT-AP ``dct:accessRights`` (EU access-right vocabulary), data.json ``accessLevel`` and
``rights``, schema.org ``isAccessibleForFree`` and ``conditionsOfAccess`` all say the same
thing, built here from the dataset's level and its publisher's access instructions. At every
level but ``public`` the catalog record has no resources, so no document names a file, a size
or a row count of such a dataset.
"""

from __future__ import annotations

from datasets.access import DATA_JSON_ACCESS_LEVEL, EU_ACCESS_RIGHT, AccessLevel
from datasets.public import PublicDataset, PublicResource

# The EU access-right authority table (the scheme its concepts are ``skos:inScheme`` of).
EU_ACCESS_RIGHT_SCHEME = "http://publications.europa.eu/resource/authority/access-right"
# data.json ``rights``: "Text, 255 characters" (Project Open Data v1.1).
DATA_JSON_RIGHTS_MAX = 255

# What each level means for a reader: (Vietnamese, English). The publisher's instructions
# (how to ask, whom to write to) follow this sentence.
ACCESS_STATEMENTS: dict[str, tuple[str, str]] = {
    AccessLevel.PUBLIC.value: (
        "Dữ liệu mở: mọi người được truy cập tự do.",
        "Open data: free access for everyone.",
    ),
    AccessLevel.REGISTERED.value: (
        "Dữ liệu dành cho tài khoản đã đăng ký trên Cổng dữ liệu: đăng nhập để truy cập.",
        "Data for registered accounts of the portal: sign in to access it.",
    ),
    AccessLevel.AGENCIES.value: (
        "Dữ liệu chia sẻ giữa các cơ quan: chỉ cán bộ của các cơ quan trên Cổng được truy cập.",
        "Data shared between agencies: only staff of the portal's organizations may access it.",
    ),
    AccessLevel.RESTRICTED.value: (
        "Dữ liệu hạn chế: chỉ tổ chức, cá nhân được cấp quyền mới được truy cập; "
        "gửi yêu cầu truy cập trên trang của bộ dữ liệu.",
        "Restricted data: only accounts or organizations holding a grant may access it; "
        "request access on the dataset's page.",
    ),
    AccessLevel.CATALOG_ONLY.value: (
        "Dữ liệu không cung cấp qua Cổng: chỉ công bố thông tin mô tả.",
        "Data not available through the portal: only its description is published.",
    ),
}


def is_public(dataset: PublicDataset) -> bool:
    """True when the dataset's data is open to everyone."""
    return dataset.access_level == AccessLevel.PUBLIC.value


def eu_access_right(dataset: PublicDataset) -> str:
    """The EU access-right URI of the dataset's level (an unknown level reads as non-public)."""
    return EU_ACCESS_RIGHT.get(dataset.access_level, EU_ACCESS_RIGHT["catalog-only"])


def data_json_access_level(dataset: PublicDataset) -> str:
    """The data.json ``accessLevel`` of the dataset's level."""
    return DATA_JSON_ACCESS_LEVEL.get(dataset.access_level, "non-public")


def access_statement(dataset: PublicDataset, language: str = "vi") -> str:
    """The level's sentence in ``language`` ("vi" or "en")."""
    vi, en = ACCESS_STATEMENTS.get(
        dataset.access_level, ACCESS_STATEMENTS[AccessLevel.CATALOG_ONLY.value]
    )
    return en if language == "en" else vi


def access_conditions(dataset: PublicDataset) -> str:
    """The level's sentence in Vietnamese followed by the publisher's instructions."""
    instructions = dataset.access_instructions.strip()
    statement = access_statement(dataset)
    return f"{statement} {instructions}" if instructions else statement


def data_json_rights(dataset: PublicDataset) -> str:
    """``access_conditions`` cut to data.json's 255 characters at a word, marked with "…"."""
    text = " ".join(access_conditions(dataset).split())
    if len(text) <= DATA_JSON_RIGHTS_MAX:
        return text
    cut = text[: DATA_JSON_RIGHTS_MAX - 1]
    if " " in cut[DATA_JSON_RIGHTS_MAX // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def listed_resources(dataset: PublicDataset) -> tuple[PublicResource, ...]:
    """The resources a metadata document may list: none for a dataset that is not public.

    The catalog record of such a dataset has none already; this also holds when a caller
    hands in a reader's view with agency files, which no public document may name.
    """
    return dataset.resources if is_public(dataset) else ()
