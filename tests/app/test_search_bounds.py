"""Every search surface caps the search text: 400 on the APIs, a friendly note on the page."""

from __future__ import annotations

import requests

from search_index import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from tests.factories import publish_sample

LONG = "giao thông " * 4000  # 44 KB, 8000 words (such queries took 7-26 s)


def test_the_apis_refuse_a_long_search_text(client, services) -> None:
    client.set_cookie("lang", "en")
    rest = client.get("/api/v1/datasets", query_string={"q": LONG})
    assert rest.status_code == 400
    assert rest.get_json()["error"] == {
        "code": "bad_request",
        "message": f"The search text may have at most {MAX_QUERY_CHARS} characters "
        f"and {MAX_QUERY_WORDS} words.",
    }
    ckan = client.get("/api/3/action/package_search", query_string={"q": LONG})
    assert ckan.status_code == 400
    error = ckan.get_json()["error"]
    assert error["__type"] == "Search Query Error"
    assert f"at most {MAX_QUERY_CHARS} characters" in error["message"]
    words = " ".join(["xe"] * (MAX_QUERY_WORDS + 1))  # short, but too many words
    assert client.get("/api/v1/datasets", query_string={"q": words}).status_code == 400
    assert client.get("/api/3/action/package_search", query_string={"q": words}).status_code == 400


def test_the_search_page_searches_the_first_words_and_says_so(client, services) -> None:
    publish_sample(services)
    client.set_cookie("lang", "en")
    page = client.get("/dataset", query_string={"q": LONG})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"only its first {MAX_QUERY_WORDS} words" in html
    assert "Trạm dừng xe buýt giao thông" in html  # the shortened search still finds it
    catalog = client.get("/catalog.ttl", query_string={"q": LONG})
    assert catalog.status_code == 422


def test_rest_q_is_accepted_at_the_documented_limits_and_refused_past_them(
    live_server, services
) -> None:
    """Exactly MAX_QUERY_CHARS characters or MAX_QUERY_WORDS words pass; one more is a 400."""
    publish_sample(services)
    spec = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    [q] = [p for p in spec["paths"]["/datasets"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["maxLength"] == MAX_QUERY_CHARS == 200
    assert f"{MAX_QUERY_WORDS} words" in q["description"]
    assert "400" in spec["paths"]["/datasets"]["get"]["responses"]

    def search(text: str) -> requests.Response:
        return requests.get(
            f"{live_server.url}/api/v1/datasets",
            params={"q": text},
            headers={"Accept-Language": "en", "Cookie": "lang=en"},
            timeout=30,
        )

    # 200 characters in 2 words: the second word pads the text up to the limit
    at_chars = "giao " + "x" * (MAX_QUERY_CHARS - 5)
    at_words = " ".join(["giao"] + ["xe"] * (MAX_QUERY_WORDS - 1))
    for text in (at_chars, at_words, "giao thông"):
        answer = search(text)
        assert answer.status_code == 200, (len(text), answer.text)
        assert set(answer.json()) >= {"items", "total", "next"}
    assert search("giao thông").json()["total"] == 1
    # Vietnamese letters count once each (the text is read as Unicode characters)
    assert search("đường " + "ư" * (MAX_QUERY_CHARS - 6)).status_code == 200

    expected = {
        "code": "bad_request",
        "message": f"The search text may have at most {MAX_QUERY_CHARS} characters "
        f"and {MAX_QUERY_WORDS} words.",
    }
    for text in (at_chars + "x", at_words + " xe", "đường " + "ư" * (MAX_QUERY_CHARS - 5)):
        answer = search(text)
        assert answer.status_code == 400, len(text)
        assert answer.json()["error"] == expected
