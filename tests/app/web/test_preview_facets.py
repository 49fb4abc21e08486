"""The resource page's preview shows facets whose values filter it (issue 23)."""

from __future__ import annotations

import re
from html import unescape

from tests.factories import publish_sample

LOAI = ["Chợ", "Trường học", "Bệnh viện"]
ROWS = "ma,ten,loai,quan,so\n" + "".join(
    f"M{i:03d},Điểm {i:03d},{LOAI[i % 3] if i < 45 else 'Chợ'},Quận {1 + i % 2},{i}\n"
    for i in range(60)
)


def _text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _cells(html: str, column: int = 0) -> list[str]:
    rows = re.findall(r"<tr>(<td>.*?)</tr>", html)
    return [unescape(re.findall(r"<td>(.*?)</td>", row)[column]) for row in rows]


def _facets(html: str) -> dict[str, list[tuple[str, str, str]]]:
    """{column heading: [(value, count, href)]} of the preview's facets."""
    nav = re.search(r'<nav class="preview-facets".*?</nav>', html, re.S)
    assert nav, "the preview has facets"
    found = {}
    for block in re.findall(r'<div class="facet">(.*?)</div>', nav.group(0), re.S):
        title = unescape(re.search(r'<h3 class="facet-title">(.*?)</h3>', block).group(1))
        links = re.findall(
            r'<a data-preview-link[^>]*href="([^"]+)">(.*?) <span class="facet-count">(\d+)</span>',
            block,
        )
        found[title] = [(unescape(v), n, unescape(href)) for href, v, n in links]
    return found


def test_facet_values_count_and_filter_the_preview(services, client) -> None:
    dataset, rid, *_ = publish_sample(services, data=ROWS.encode())
    page = f"/dataset/{dataset.name}/resource/{rid}"
    html = _text(client, page)
    facets = _facets(html)
    # categories are faceted; identifiers (every row its own value) and numbers are not
    assert set(facets) == {"loai", "quan"}
    assert [(v, n) for v, n, _ in facets["loai"]] == [
        ("Chợ", "30"),
        ("Bệnh viện", "15"),
        ("Trường học", "15"),
    ]
    cho = next(href for v, _, href in facets["loai"] if v == "Chợ")
    assert cho.startswith(page) and "f_loai=" in cho and cho.endswith(f"#preview-{rid}")
    filtered = _text(client, cho.split("#")[0])
    expected = [f"M{i:03d}" for i in range(60) if i >= 45 or i % 3 == 0]
    assert _cells(filtered) == expected[:25] and "dòng 1–25 trên 30" in filtered
    assert "khi loai là Chợ" in filtered
    # the counts are those of the filtered rows; the other facet narrows them further
    quan = {v: (n, href) for v, n, href in _facets(filtered)["quan"]}
    assert {v: n for v, (n, _) in quan.items()} == {"Quận 1": "15", "Quận 2": "15"}
    both = _text(client, quan["Quận 2"][1].split("#")[0])
    assert _cells(both) == [c for c in expected if int(c[1:]) % 2 == 1]
    # each picked value links back to the preview without it (keeping the other)
    selected = [unescape(h) for h in re.findall(r'class="facet-selected" href="([^"]+)"', both)]
    assert len(selected) == 2
    assert ("f_loai" not in selected[0] and "f_quan=" in selected[0]) and (
        "f_quan" not in selected[1] and "f_loai=" in selected[1]
    )


def test_facets_speak_english_and_stay_off_the_dataset_page(services, client) -> None:
    dataset, rid, *_ = publish_sample(services, data=ROWS.encode())
    assert 'class="preview-facets"' not in _text(client, f"/dataset/{dataset.name}")
    client.set_cookie("lang", "en")
    html = _text(client, f"/dataset/{dataset.name}/resource/{rid}?f_loai=Ch%E1%BB%A3")
    assert 'aria-label="Filter the preview by a value"' in html
    assert "where loai is Chợ" in html and "remove this filter" in html
    # the fragment the page's script fetches holds the facets too
    fragment = _text(
        client,
        f"/dataset/{dataset.name}/resource/{rid}?partial=preview&r={rid}&f_quan=Qu%E1%BA%ADn+1",
    )
    assert fragment.lstrip().startswith('<div class="preview-box"')
    assert {v for v, _, _ in _facets(fragment)["quan"]} == {"Quận 1"}
    # a value no row holds shows no rows, never an error
    empty = _text(client, f"/dataset/{dataset.name}/resource/{rid}?f_loai=kh%C3%B4ng")
    assert _cells(empty) == []
