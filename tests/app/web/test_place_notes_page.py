"""The management page and the validation report page show the notes on place columns, and
the button adds the current unit's code in one step (issue 22)."""

from __future__ import annotations

import csv
import io
import re

from datasets.queries import get_dataset

TABLE = (
    "nam,quan_huyen,phuong_xa,so_ho\n"
    "2024,Quận 1,Phường Bến Nghé,120\n"
    "2024,Quận 1,Phường Bến Thành,80\n"
    "2024,Quận 1,Phường Bến Nghé,95\n"
    "2024,Quận 3,Phường Vô Danh,10\n"
).encode()


def _resource_id(desk, name: str) -> str:
    with desk.services.sessions() as session:
        dataset = get_dataset(session, name)
        revision = dataset.working_revision or dataset.live_revision
        return revision.entries[0].resource_id


def test_pages_show_old_and_unknown_units_and_the_button_adds_the_code(desk) -> None:
    name = desk.dataset("Hộ dân năm 2024")
    desk.login("publisher")
    desk.upload(name, TABLE, "ho_2024.csv")
    rid = _resource_id(desk, name)
    page = desk.page(f"/dataset/{name}/manage")
    notes = page.split('class="places"', 1)[1].split("</section>", 1)[0]
    assert "Đơn vị hành chính" in page and "bảng vẫn hợp lệ" in notes
    ward = notes.split('data-column="phuong_xa"', 1)[1]
    assert "3 giá trị là đơn vị không còn tồn tại" in ward
    assert re.search(r"Phường Bến Nghé</strong>\s*<span class=\"meta\">\(Quận 1\)</span>", ward)
    assert "dòng 2, 4" in ward and "Phường Sài Gòn <code>26740</code>" in ward
    assert "1 giá trị không khớp đơn vị nào" in ward and "Phường Vô Danh" in ward
    assert 'name="column" value="phuong_xa"' in notes
    assert 'name="column" value="quan_huyen"' not in notes  # a district has no one code
    report = desk.page(f"/dataset/{name}/resource/{rid}/report")
    assert "Phường Sài Gòn <code>26740</code>" in report and "unit-codes" not in report

    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)
    done = desk.post(
        f"/dataset/{name}/resource/{rid}/unit-codes",
        {"column": "phuong_xa", "lock_version": lock},
        form_page=f"/dataset/{name}/manage",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã thêm mã và tên đơn vị hiện hành sau cột phuong_xa" in done
    assert "Mã và tên đơn vị hiện hành đã được thêm sau cột này" in done
    assert 'name="column" value="phuong_xa"' not in done
    preview = done.split("public-preview", 1)[1]
    assert "phuong_xa_ma_dvhc" in preview and "<td>26740</td>" in preview
    refused = desk.post(
        f"/dataset/{name}/resource/{rid}/unit-codes",
        {"column": "quan_huyen"},
        form_page=f"/dataset/{name}/manage",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Không thể thêm mã đơn vị hiện hành sau cột này" in refused


def test_the_public_file_of_a_published_dataset_changes_only_after_approval(desk) -> None:
    name = desk.dataset("Hộ dân đã công bố")
    desk.login("publisher")
    desk.upload(name, TABLE, "ho_2024.csv")
    rid = _resource_id(desk, name)
    desk.post(f"/dataset/{name}/submit")
    desk.login("steward")
    desk.post(f"/dataset/{name}/approve")
    desk.login("publisher")
    desk.post(
        f"/dataset/{name}/resource/{rid}/unit-codes",
        {"column": "phuong_xa"},
        form_page=f"/dataset/{name}/manage",
    )
    with desk.services.sessions() as session:
        dataset = get_dataset(session, name)
        assert dataset.working_revision_id not in (None, dataset.live_revision_id)
    view = desk.services.catalog.get(name)
    resource = view.resources[0]
    public = desk.client.get(
        f"/dataset/{name}/resource/{resource.id}/download/{resource.filename}"
    ).get_data(as_text=True)
    header = next(csv.reader(io.StringIO(public)))
    assert header == ["nam", "quan_huyen", "phuong_xa", "so_ho"]  # the live file is unchanged
