"""`opendata demo`: the demo catalog of SPEC §9, loaded through the real domain calls."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from app import demo_admin_tables as admin
from app import demo_city_tables as city
from app.demo_files import minimal_pdf
from app.demo_loading import DEMO_PASSWORD, SEED, DemoDataset, demo_meta, load_dataset
from app.demo_shared import load_shared
from app.services import Services, build_services
from datasets.themes import save_theme
from publishers import Role

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


DATASETS = (
    DemoDataset(
        "so-giao-thong-van-tai",
        demo_meta(
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
        demo_meta(
            "Trạm dừng xe buýt",
            "Bus stops",
            "Vị trí các trạm dừng, nhà chờ xe buýt với tọa độ, địa điểm và phường, xã.",
            "Bus stops and shelters with coordinates, street and ward.",
            ("xe buýt", "trạm dừng", "bản đồ"),
            ("giao-thong",),
            "MONTHLY",
        ),
        (("tram-dung-xe-buyt.csv", city.bus_stops),),
    ),
    DemoDataset(
        "so-giao-thong-van-tai",
        demo_meta(
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
        demo_meta(
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
        demo_meta(
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
        demo_meta(
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
        demo_meta(
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
        demo_meta(
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
        demo_meta(
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
        demo_meta(
            "Dân số theo phường, xã",
            "Population by ward",
            "Dân số, giới tính, diện tích và mật độ dân số của từng phường, xã năm 2024, theo "
            "quận, huyện và phường, xã trước ngày 1/7/2025.",
            "Population, sex, area and density of each ward in 2024, by the districts and "
            "wards before 1 July 2025.",
            ("dân số", "thống kê", "population"),
            ("dan-so-xa-hoi",),
        ),
        (("dan-so-theo-phuong.csv", admin.population),),
    ),
    DemoDataset(
        "so-tai-chinh",
        demo_meta(
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
        demo_meta(
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
        demo_meta(
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
        created += load_dataset(svc, item, publisher, steward, rng, echo)
    created += load_shared(svc, publisher, steward, echo)
    from app.harvesting import register_demo_source

    register_demo_source(svc)  # a harvest source definition (issue 9), not run
    indexed = svc.rebuild_index()
    return f"demo catalog ready: {created} datasets added, {indexed} published and indexed"
