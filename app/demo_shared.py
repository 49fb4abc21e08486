"""The demo's shared databases (issue 18), beside the open datasets of ``app.demo``.

- an enterprise register at the ``registered`` level (any signed-in account, e.g. a business);
- the city's administrative units, open to all: the first of its shared reference
  catalogues ("danh mục dùng chung", issue 22), generated from the places catalogue;
- the agencies' data focal points at the ``agencies`` level (staff of any agency);
- household business registrations at the ``restricted`` level, with personal data: the
  public file drops the owner's name, citizen ID and phone; the agency projection keeps the
  name (with a justification), hashes the citizen ID and masks the phone. The Thu Duc
  People's Committee holds an approved grant; the ``business`` account's request waits.

Every account and person here is made up; the README lists the accounts and what each sees.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from app import demo_reference as reference
from app import demo_shared_tables as shared
from app.demo_loading import DEMO_PASSWORD, SEED, DemoDataset, demo_meta, load_dataset
from app.services import Services
from datasets.access import AccessLevel
from publishers import Actor, Role, utcnow

# The agency that reads the restricted dataset under a grant (not the owner; the demo's
# steward and publisher are not its members).
GRANTEE_ORGANIZATION = (
    "ubnd-thanh-pho-thu-duc",
    "Ủy ban nhân dân Thành phố Thủ Đức",
    "Thu Duc City People's Committee",
    "ubnd@thuduc.tphcm.gov.vn.example",
)
SHARED_ACCOUNTS = (
    # name, e-mail, full name, organization (None: a signed-in account of no agency)
    ("business", "business@saigon-data.example", "Công ty TNHH Dữ liệu Sài Gòn (demo)", None),
    ("officer", "officer@thuduc.tphcm.gov.vn.example", "Cán bộ Thủ Đức (demo)", "grantee"),
)
REGISTERED_NAME = "doanh-nghiep-dang-hoat-dong"
AGENCIES_NAME = "dau-moi-du-lieu-cua-cac-co-quan"
REFERENCE_NAME = "danh-muc-don-vi-hanh-chinh"
RESTRICTED_NAME = "ho-kinh-doanh-da-dang-ky"
GRANT_DAYS = 365

SHARED_DATASETS = (
    DemoDataset(
        "so-tai-chinh",
        replace(
            demo_meta(
                "Doanh nghiệp đang hoạt động",
                "Active enterprises",
                "Danh sách doanh nghiệp đăng ký tại thành phố: loại hình, ngành nghề chính, vốn "
                "điều lệ, ngày thành lập và phường, xã của trụ sở. Dành cho tài khoản đã đăng ký.",
                "Enterprises registered in the city: type, main sector, charter capital, date "
                "founded and ward of the head office. For signed-in accounts.",
                ("doanh nghiệp", "đăng ký kinh doanh", "enterprises"),
                ("kinh-te-tai-chinh",),
                "MONTHLY",
            ),
            access_level=AccessLevel.REGISTERED.value,
            access_instructions="Đăng nhập (hoặc đăng ký tài khoản) và chấp nhận điều khoản sử "
            "dụng để tải dữ liệu.",
        ),
        (("doanh-nghiep.csv", shared.enterprises),),
    ),
    DemoDataset(
        "cuc-thong-ke",
        replace(
            demo_meta(
                "Danh mục đơn vị hành chính",
                "Administrative units",
                "Danh mục dùng chung đầu tiên của thành phố: thành phố và 168 phường, xã, đặc "
                "khu từ ngày 1/7/2025 với mã đơn vị của Cục Thống kê, và bảng các quận, huyện, "
                "phường, xã, thị trấn cũ (của Thành phố Hồ Chí Minh, Bình Dương và Bà Rịa - "
                "Vũng Tàu) cùng đơn vị mới mà mỗi đơn vị cũ trở thành, để các cơ quan dùng "
                "chung một bộ mã.",
                "The city's first shared reference catalogue: the city and its 168 wards, "
                "communes and special zone since 1 July 2025 with the Statistics Office's "
                "codes, and the old districts, wards, communes and townships of its area with "
                "the current unit each became, so that agencies use the same codes.",
                ("đơn vị hành chính", "danh mục dùng chung", "reference data"),
                ("chinh-quyen",),
            ),
            spatial_units=("79",),
        ),
        (
            # JSON (and XLSX, Parquet) of each table: the converted downloads
            ("don-vi-hanh-chinh.csv", reference.current_units_csv),
            ("don-vi-hanh-chinh-truoc-2025.csv", reference.old_units_csv),
        ),
    ),
    DemoDataset(
        "cuc-thong-ke",
        replace(
            demo_meta(
                "Đầu mối dữ liệu của các cơ quan",
                "Data focal points of the agencies",
                "Bộ phận đầu mối về dữ liệu của từng cơ quan, văn bản giao nhiệm vụ và phạm vi "
                "dữ liệu phụ trách, để các cơ quan biết hỏi ai khi cần chia sẻ dữ liệu.",
                "Each agency's data focal unit, the decision naming it and the data it is in "
                "charge of, so that agencies know whom to ask when sharing data.",
                ("đầu mối dữ liệu", "chia sẻ dữ liệu", "data stewardship"),
                ("chinh-quyen",),
            ),
            access_level=AccessLevel.AGENCIES.value,
            access_instructions="Dành cho cán bộ các cơ quan trên cổng; cơ quan khác liên hệ "
            "thongke@tphcm.gov.vn.example.",
        ),
        (("dau-moi-du-lieu.csv", shared.data_focal_points),),
    ),
    DemoDataset(
        "so-tai-chinh",
        replace(
            demo_meta(
                "Hộ kinh doanh đã đăng ký",
                "Registered household businesses",
                "Cơ sở dữ liệu hộ kinh doanh: ngành nghề, địa điểm, vốn và chủ hộ. Cơ quan được "
                "cấp quyền đọc bản chia sẻ (số CCCD được băm, số điện thoại được che) để đối "
                "chiếu khi giải quyết thủ tục, người dân không phải khai lại.",
                "Household business registrations: trade, place, capital and owner. Agencies "
                "holding a grant read the shared projection (citizen ID hashed, phone masked) "
                "to check procedures without asking citizens again.",
                ("hộ kinh doanh", "dữ liệu dùng chung", "household business"),
                ("kinh-te-tai-chinh",),
                "MONTHLY",
            ),
            access_level=AccessLevel.RESTRICTED.value,
            access_instructions="Gửi yêu cầu truy cập từ trang dữ liệu: mục đích, căn cứ pháp "
            "lý, các cột cần dùng và thời hạn. Sở Tài chính xem xét yêu cầu.",
        ),
        (("ho-kinh-doanh.csv", shared.household_businesses),),
        decisions=(
            {"column": "ho_ten_chu_ho", "action": "drop"},
            {"column": "so_cccd", "action": "drop"},
            {"column": "so_dien_thoai", "action": "drop"},
        ),
        agency_decisions=(
            {
                "column": "ho_ten_chu_ho",
                "action": "keep",
                "justification": "Cơ quan giải quyết thủ tục cần đối chiếu đúng chủ hộ "
                "(Nghị định 01/2021/NĐ-CP).",
            },
            {"column": "so_cccd", "action": "hash"},
            {"column": "so_dien_thoai", "action": "mask"},
        ),
    ),
)


def load_shared(
    svc: Services, publisher: Actor, steward: Actor, echo: Callable[[str], None]
) -> int:
    """Add the shared databases, their accounts, one grant and one pending request."""
    accounts = svc.accounts
    name, title, title_en, email = GRANTEE_ORGANIZATION
    grantee = accounts.find_organization(name) or accounts.create_organization(
        name, title, title_en=title_en, email=email
    )
    users = {}
    for user_name, user_email, full_name, org in SHARED_ACCOUNTS:
        info = accounts.find_user(user_name)
        if info is None:
            info = accounts.create_user(user_name, user_email, DEMO_PASSWORD, full_name=full_name)
            if org == "grantee":
                accounts.add_member(grantee.id, info.id, Role.PUBLISHER)
        users[user_name] = accounts.actor_for(info.id)
    rng = random.Random(SEED + 18)  # its own seed: the open datasets stay as they were
    created = 0
    for item in SHARED_DATASETS:
        created += load_dataset(svc, item, publisher, steward, rng, echo)
    _share(svc, steward, users["officer"], users["business"], grantee.id)
    return created


def _share(svc: Services, steward: Actor, officer: Actor, business: Actor, grantee_id: str) -> None:
    """The restricted dataset's grant to Thu Duc, and the business's pending request."""
    if svc.sharing.requests(officer) or svc.sharing.requests(business):
        return  # already there (the demo is idempotent)
    asked = svc.sharing.request_access(
        officer,
        RESTRICTED_NAME,
        purpose="Đối chiếu hộ kinh doanh khi giải quyết thủ tục hành chính tại Thủ Đức.",
        legal_basis="Nghị định 01/2021/NĐ-CP; Nghị định 47/2020/NĐ-CP về chia sẻ dữ liệu.",
        organization_id=grantee_id,
    )
    svc.sharing.approve(steward, asked.id, expires=utcnow() + timedelta(days=GRANT_DAYS))
    svc.sharing.request_access(
        business,
        RESTRICTED_NAME,
        purpose="Xác minh khách hàng là hộ kinh doanh khi mở tài khoản (eKYC).",
        legal_basis="Sự đồng ý của khách hàng.",
        columns=["ma_ho_kinh_doanh", "ten_ho_kinh_doanh", "so_cccd", "nganh_nghe"],
    )
