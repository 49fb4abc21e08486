"""URL builders compiled on first use (``app.url_rules``, issue 24) build what Werkzeug's do."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from app.url_rules import LazyBuildRule

RULES = (
    ("/d/<name>", "dataset"),
    ("/d/<name>/r/<int:number>", "resource"),
    ("/p/<path:rest>", "path"),
    ("/static-page", "static_page"),
)
VALUES = (
    ("dataset", {"name": "dân-số"}),
    ("resource", {"name": "a b", "number": 7}),
    ("path", {"rest": "x/y z"}),
    ("static_page", {}),
    ("dataset", {"name": "q", "page": 2, "sort": "tên"}),  # unknown values: a query string
)


def _compiled(rule: Rule) -> bool:
    return any(f.__name__ != "build_once" for f in (rule._build, rule._build_unknown))


def _adapter(rule_class: type[Rule]):
    return Map([rule_class(path, endpoint=endpoint) for path, endpoint in RULES]).bind(
        "portal.example", "/"
    )


def test_lazy_rules_build_and_match_as_werkzeugs_own() -> None:
    lazy, plain = _adapter(LazyBuildRule), _adapter(Rule)
    for endpoint, values in VALUES:
        for append_unknown in (True, False):
            built = lazy.build(endpoint, values, append_unknown=append_unknown)
            assert built == plain.build(endpoint, values, append_unknown=append_unknown)
    assert lazy.build("resource", {"name": "a b", "number": 7}) == "/d/a%20b/r/7"
    assert lazy.build("dataset", {"name": "q", "page": 2}) == "/d/q?page=2"
    assert lazy.match("/d/a b/r/7") == ("resource", {"name": "a b", "number": 7})


def test_the_portal_compiles_a_builder_only_when_it_builds(app) -> None:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(rules) > 100 and all(isinstance(r, LazyBuildRule) for r in rules)
    assert not any(_compiled(r) for r in rules)  # nothing compiled yet
    with app.test_request_context():
        from flask import url_for

        assert url_for("public.home") == "/"
    home = next(r for r in rules if r.endpoint == "public.home")
    assert _compiled(home)  # compiled once, then kept
    assert not any(_compiled(r) for r in rules if r.endpoint != "public.home")
