"""A small public catalog for the browser tests, and the axe-core accessibility check."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from datasets.metadata_input import DatasetMetadata
from datasets.themes import save_theme
from publishers import Role
from tests.factories import SAMPLE_CSV, actor, make_org, make_user, upload_bytes

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
STOPS = "ma_tram,ten_tram,quan_huyen,vi_do,kinh_do,so_cho\n" + "".join(
    f"T{i:03d},Trạm số {i:03d},Quận {1 + i % 12},{10.70 + (i % 17) / 100:.4f},"
    f"{106.60 + (i % 13) / 100:.4f},{10 + (i * 7) % 50}\n"
    for i in range(45)
)


@dataclass(frozen=True)
class Catalog:
    """What the browser tests browse: a transport theme and department with three datasets."""

    org: str
    stops: str  # the dataset with a 45-row table with coordinates
    stops_resource: str
    parking: str
    air: str


def seed(services) -> Catalog:
    """Publish three datasets in two themes through the real workflow."""
    admin = actor(services, make_user(services, sysadmin=True))
    save_theme(services.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    save_theme(services.sessions, admin, "moi-truong", "Môi trường", "Environment", "ENVI", 2)
    org = make_org(services, title="Sở Giao thông Vận tải")
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    published: list[tuple[str, str]] = []
    for title, theme, tags, data in (
        ("Trạm dừng xe buýt đường phố", "giao-thong", ("xe buýt",), STOPS.encode()),
        ("Bãi đỗ xe công cộng", "giao-thong", ("đỗ xe",), SAMPLE_CSV),
        ("Chất lượng không khí", "moi-truong", ("không khí",), SAMPLE_CSV),
    ):
        meta = DatasetMetadata(
            title_vi=title,
            title_en=f"{title} (English)",
            description_vi=f"{title} do Sở Giao thông Vận tải công bố, cập nhật hằng tháng.",
            description_en=f"{title}, published monthly by the Department of Transport.",
            themes=(theme,),
            tags=tags,
            frequency="MONTHLY",
            spatial="Thành phố Hồ Chí Minh",
        )
        dataset = services.editor.create(publisher, org.id, meta)
        rid = upload_bytes(services, publisher, dataset.name, data)
        services.workflow.submit(publisher, dataset.name)
        services.workflow.approve(steward, dataset.name)
        published.append((dataset.name, rid))
    return Catalog(org.name, published[0][0], published[0][1], published[1][0], published[2][0])


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; return its serious and critical violations."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: run `make axe` (npm ci in tests/browser/axe)")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser/axe)")
    # Evaluated, not added as a <script>: the portal's Content-Security-Policy refuses
    # inline scripts (as it should), and evaluation through the DevTools protocol is exempt.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]
