"""`opendata demo`: the demo catalog of SPEC §9, loaded through the real domain calls."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from app import demo_admin_tables as admin
from app import demo_city_tables as city
from app.demo_files import minimal_pdf
from app.services import Services, build_services
from datasets.metadata_input import DatasetMetadata
from datasets.queries import find_dataset
from datasets.resource_edit import ResourceInput
from datasets.themes import save_theme
from datasets.uploads import receive
from datasets.vocab import DEFAULT_LICENSE_ID
from publishers import Actor, Role

SEED = 20261121
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 -- the README states the demo accounts
ACCOUNTS = (
    # name, e-mail, sysadmin, memberships
    ("admin", "admin@opendata.hcmc.example", True, ()),
    ("steward", "steward@opendata.hcmc.example", False, "steward"),
    ("publisher", "publisher@opendata.hcmc.example", False, "publisher"),
)
ORGANIZATIONS = (
    (
        "so-giao-thong-van-tai",
        "Sở Giao thông Vận tải",
        "Department of Transport",
        "sgtvt@tphcm.gov.vn.example",
    ),
    (
        "so-tai-nguyen-moi-truong",
        "Sở Tài nguyên và Môi trường",
        "Department of Natural Resources and Environment",
        "stnmt@tphcm.gov.vn.example",
    ),
    ("so-y-te", "Sở Y tế", "Department of Health", "syt@tphcm.gov.vn.example"),
    (
        "so-giao-duc-dao-tao",
        "Sở Giáo dục và Đào tạo",
        "Department of Education and Training",
        "sgddt@tphcm.gov.vn.example",
    ),
    (
        "so-thong-tin-truyen-thong",
        "Sở Thông tin và Truyền thông",
        "Department of Information and Communications",
        "stttt@tphcm.gov.vn.example",
    ),
    ("so-tai-chinh", "Sở Tài chính", "Department of Finance", "stc@tphcm.gov.vn.example"),
    (
        "cuc-thong-ke",
        "Thống kê Thành phố Hồ Chí Minh",
        "Ho Chi Minh City Statistics Office",
        "thongke@tphcm.gov.vn.example",
    ),
    ("so-xay-dung", "Sở Xây dựng", "Department of Construction", "sxd@tphcm.gov.vn.example"),
)
THEMES = (
    ("giao-thong", "Giao thông", "Transport", "TRAN"),
    ("moi-truong", "Môi trường", "Environment", "ENVI"),
    ("y-te", "Y tế", "Health", "HEAL"),
    ("giao-duc", "Giáo dục", "Education", "EDUC"),
    ("dan-so-xa-hoi", "Dân số và xã hội", "Population and society", "SOCI"),
    ("kinh-te-tai-chinh", "Kinh tế và tài chính", "Economy and finance", "ECON"),
    ("chinh-quyen", "Chính quyền", "Government", "GOVE"),
    ("cong-nghe", "Công nghệ", "Technology", "TECH"),
)


@dataclass(frozen=True)
class DemoDataset:
    """One dataset of the demo catalog."""

    org: str
    meta: DatasetMetadata
    files: tuple[tuple[str, Callable[[random.Random], bytes]], ...]
    publish: bool = True
    decisions: tuple[dict[str, str], ...] = field(default_factory=tuple)
    # The agency projection's decisions (issue 18), set by the steward after the public ones.
    agency_decisions: tuple[dict[str, str], ...] = field(default_factory=tuple)


def _meta(
    title: str,
    title_en: str,
    desc: str,
    desc_en: str,
    tags: tuple[str, ...],
    themes: tuple[str, ...],
    frequency: str = "ANNUAL",
) -> DatasetMetadata:
    return DatasetMetadata(
        title_vi=title,
        title_en=title_en,
        description_vi=desc,
        description_en=desc_en,
        tags=tags,
        themes=themes,
        license_id=DEFAULT_LICENSE_ID,
        frequency=frequency,
        spatial="Thành phố Hồ Chí Minh",
        temporal_start=date(2023, 1, 1),
        temporal_end=date(2025, 12, 31),
    )


DATASETS = (
    DemoDataset(
        "so-giao-thong-van-tai",
        _meta(
            "Tuyến xe buýt",
            "Bus routes",
            "Danh sách các tuyến xe buýt đang hoạt động tại Thành phố Hồ Chí Minh: điểm đầu, điểm "
            "cuối, cự ly, giờ hoạt động, giá vé và tần suất chạy xe.",
            "Bus routes operating in Ho Chi Minh City: terminals, length, operating hours, fares "
            "and frequency.",
            ("xe buýt", "giao thông công cộng", "bus"),
            ("giao-thong",),
            "MONTHLY",
        ),
        (("tuyen-xe-buyt.csv", city.bus_routes),),
    ),
    DemoDataset(
        "so-giao-thong-van-tai",
        _meta(
            "Trạm dừng xe buýt",
            "Bus stops",
            "Vị trí các trạm dừng, nhà chờ xe buýt với tọa độ, địa điểm, phường xã và quận huyện.",
            "Bus stops and shelters with coordinates, street, ward and district.",
            ("xe buýt", "trạm dừng", "bản đồ"),
            ("giao-thong",),
            "MONTHLY",
        ),
        (("tram-dung-xe-buyt.csv", city.bus_stops),),
    ),
    DemoDataset(
        "so-giao-thong-van-tai",
        _meta(
            "Bãi đỗ xe công cộng",
            "Public parking lots",
            "Các bãi giữ xe công cộng: sức chứa xe máy, ô tô, giá gửi xe và vị trí trên đường phố.",
            "Public parking lots: motorbike and car capacity, prices and locations.",
            ("bãi đỗ xe", "đường phố", "parking"),
            ("giao-thong",),
        ),
        (("bai-do-xe.csv", city.parking),),
    ),
    DemoDataset(
        "so-tai-nguyen-moi-truong",
        _meta(
            "Chất lượng không khí quan trắc tự động",
            "Automatic air-quality monitoring",
            "Số liệu quan trắc bụi mịn PM2.5, PM10, NO2, nhiệt độ và độ ẩm theo giờ tại các trạm "
            "quan trắc tự động của thành phố.",
            "Hourly PM2.5, PM10, NO2, temperature and humidity readings from the city's automatic "
            "monitoring stations.",
            ("không khí", "bụi mịn", "air quality", "PM2.5"),
            ("moi-truong", "y-te"),
            "DAILY",
        ),
        (("chat-luong-khong-khi-2025-10.csv", city.air_quality),),
    ),
    DemoDataset(
        "so-tai-nguyen-moi-truong",
        _meta(
            "Cấp nước sạch theo phường",
            "Clean water supply by ward",
            "Số hộ sử dụng nước sạch, tỷ lệ hộ có nước sạch và sản lượng nước theo phường, xã.",
            "Households served, share with clean water and volume supplied by ward.",
            ("nước sạch", "cấp nước", "water"),
            ("moi-truong",),
        ),
        (("cap-nuoc.csv", city.water_supply),),
    ),
    DemoDataset(
        "so-y-te",
        _meta(
            "Cơ sở khám chữa bệnh",
            "Hospitals and health facilities",
            "Danh sách bệnh viện, trung tâm y tế và trạm y tế: loại hình, địa chỉ, số giường bệnh "
            "và khả năng cấp cứu 24 giờ.",
            "Hospitals, health centres and clinics: type, address, beds "
            "and 24-hour emergency care.",
            ("bệnh viện", "y tế", "hospital"),
            ("y-te",),
        ),
        (("co-so-kham-chua-benh.csv", city.hospitals),),
    ),
    DemoDataset(
        "so-giao-duc-dao-tao",
        _meta(
            "Trường học các cấp",
            "Schools",
            "Danh sách trường mầm non, tiểu học, trung học cơ sở và trung học phổ thông với số học "
            "sinh, số giáo viên và vị trí.",
            "Pre-schools, primary, lower and upper secondary schools with pupils, teachers and "
            "locations.",
            ("trường học", "giáo dục", "school"),
            ("giao-duc",),
        ),
        (("truong-hoc.csv", city.schools),),
    ),
    DemoDataset(
        "so-thong-tin-truyen-thong",
        _meta(
            "Điểm Wi-Fi công cộng miễn phí",
            "Free public Wi-Fi points",
            "Các điểm phát Wi-Fi công cộng miễn phí tại công viên, nhà chờ xe buýt, "
            "chợ và phố đi bộ.",
            "Free public Wi-Fi hotspots in parks, bus shelters, markets and walking streets.",
            ("wifi", "internet", "chuyển đổi số"),
            ("cong-nghe",),
            "QUARTERLY",
        ),
        (("diem-wifi-cong-cong.csv", city.wifi),),
    ),
    DemoDataset(
        "so-thong-tin-truyen-thong",
        _meta(
            "Thủ tục hành chính",
            "Administrative procedures",
            "Danh mục thủ tục hành chính: lĩnh vực, cấp thực hiện, thời hạn giải quyết, lệ phí và "
            "mức độ dịch vụ công trực tuyến.",
            "Administrative procedures: field, level, processing time, fee "
            "and online service level.",
            ("thủ tục hành chính", "dịch vụ công", "procedures"),
            ("chinh-quyen",),
        ),
        (("thu-tuc-hanh-chinh.csv", admin.procedures),),
    ),
    DemoDataset(
        "cuc-thong-ke",
        _meta(
            "Dân số theo phường, xã",
            "Population by ward",
            "Dân số, giới tính, diện tích và mật độ dân số của từng phường, xã năm 2024.",
            "Population, sex, area and density of each ward in 2024.",
            ("dân số", "thống kê", "population"),
            ("dan-so-xa-hoi",),
        ),
        (("dan-so-theo-phuong.csv", admin.population),),
    ),
    DemoDataset(
        "so-tai-chinh",
        _meta(
            "Dự toán và thực hiện ngân sách",
            "Budget plan and execution",
            "Dự toán chi ngân sách và số thực hiện theo lĩnh vực và nội dung chi, "
            "năm 2024 và 2025.",
            "Planned and executed budget expenditure by sector and line, 2024 and 2025.",
            ("ngân sách", "tài chính", "budget"),
            ("kinh-te-tai-chinh",),
        ),
        (
            ("ngan-sach.csv", admin.budget),
            (
                "bao-cao-cong-khai-ngan-sach-2025.pdf",
                lambda _rng: minimal_pdf("Bao cao cong khai ngan sach 2025"),
            ),
        ),
    ),
    DemoDataset(
        "so-xay-dung",
        _meta(
            "Giấy phép xây dựng đã cấp",
            "Building permits issued",
            "Giấy phép xây dựng nhà ở riêng lẻ đã cấp năm 2025. Dữ liệu gốc có thông tin cá nhân "
            "của chủ đầu tư; bản công khai đã loại bỏ hoặc che các thông tin này.",
            "Building permits for individual houses issued in 2025. The original upload held the "
            "owners' personal data; the public file has it removed or masked.",
            ("xây dựng", "giấy phép", "building permits"),
            ("chinh-quyen",),
            "MONTHLY",
        ),
        (("giay-phep-xay-dung-2025.csv", admin.building_permits),),
        decisions=(
            {"column": "ho_ten_chu_dau_tu", "action": "drop"},
            {"column": "so_cccd", "action": "drop"},
            {"column": "so_dien_thoai", "action": "drop"},
            {"column": "ngay_sinh", "action": "generalize"},
        ),
    ),
    DemoDataset(
        "so-tai-nguyen-moi-truong",
        _meta(
            "Lịch thu gom rác sinh hoạt",
            "Household waste collection schedule",
            "Giờ và lịch thu gom rác sinh hoạt của từng phường, xã (đang chờ phê duyệt).",
            "Collection hours and days of household waste by ward (awaiting approval).",
            ("rác thải", "vệ sinh môi trường", "waste"),
            ("moi-truong",),
            "ANNUAL",
        ),
        (("lich-thu-gom-rac.csv", city.garbage_schedule),),
        publish=False,
    ),
)


def load_demo(services: Services, echo: Callable[[str], None] = print) -> str:
    """Load the demo catalog through the domain (idempotent); return a summary line."""
    svc = build_services(replace(services.settings, jobs_immediate=True))
    accounts = svc.accounts
    for name, title, title_en, email in ORGANIZATIONS:
        if accounts.find_organization(name) is None:
            accounts.create_organization(name, title, title_en=title_en, email=email)
    for name, email, sysadmin, role in ACCOUNTS:
        if accounts.find_user(name) is None:
            info = accounts.create_user(
                name, email, DEMO_PASSWORD, is_sysadmin=sysadmin, full_name=name.title()
            )
            if role:
                for org_name, *_rest in ORGANIZATIONS:
                    org = accounts.get_organization(org_name)
                    accounts.add_member(org.id, info.id, Role(role))
    admin = accounts.actor_for(accounts.get_user("admin").id)
    for position, (name, title, title_en, eu) in enumerate(THEMES):
        save_theme(svc.sessions, admin, name, title, title_en, eu, position)
    publisher = accounts.actor_for(accounts.get_user("publisher").id)
    steward = accounts.actor_for(accounts.get_user("steward").id)
    rng = random.Random(SEED)
    created = 0
    for item in DATASETS:
        created += _load_dataset(svc, item, publisher, steward, rng, echo)
    from app.demo_shared import load_shared

    created += load_shared(svc, publisher, steward, echo)
    from app.harvesting import register_demo_source

    register_demo_source(svc)  # a harvest source definition (issue 9), not run
    indexed = svc.rebuild_index()
    return f"demo catalog ready: {created} datasets added, {indexed} published and indexed"


def _load_dataset(
    svc: Services,
    item: DemoDataset,
    publisher: Actor,
    steward: Actor,
    rng: random.Random,
    echo: Callable[[str], None],
) -> int:
    data = [(filename, make(rng)) for filename, make in item.files]  # keep the seed's order
    with svc.sessions() as session:
        from datasets.text import vn_slug

        if find_dataset(session, vn_slug(item.meta.title_vi)) is not None:
            return 0
    org = svc.accounts.get_organization(item.org)
    dataset = svc.editor.create(publisher, org.id, item.meta)
    with tempfile.TemporaryDirectory() as tmp:
        for filename, content in data:
            path = Path(tmp) / filename
            path.write_bytes(content)
            with path.open("rb") as stream:
                staged = receive(
                    stream,
                    filename,
                    svc.settings.data_dir / "staging",
                    svc.settings.max_upload_bytes,
                )
            version = svc.editor.add_upload(
                publisher, dataset.name, staged, ResourceInput(name=filename)
            )
            if item.decisions:
                svc.editor.set_decisions(
                    steward, dataset.name, version.resource_id, list(item.decisions)
                )
            if item.agency_decisions:
                svc.editor.set_agency_decisions(
                    steward, dataset.name, version.resource_id, list(item.agency_decisions)
                )
    svc.workflow.submit(publisher, dataset.name)
    if item.publish:
        svc.workflow.approve(steward, dataset.name)
    echo(f"  {dataset.name}: {'published' if item.publish else 'submitted for review'}")
    return 1
