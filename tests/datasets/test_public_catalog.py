"""Batched loading and public activity of the public catalog."""

from __future__ import annotations

from datasets.public_cache import ViewCache
from tests.factories import publish_sample


def test_get_many_keeps_order_and_skips_what_is_not_public(services) -> None:
    first, *_ = publish_sample(services, title="Bãi đỗ xe")
    second, _rid, _pub, steward = publish_sample(services, title="Điểm wifi công cộng")
    services.workflow.withdraw(steward, second.name, "Dữ liệu cũ")
    third, *_ = publish_sample(services, title="Trường học")
    views = services.catalog.get_many([third.id, second.id, "missing", first.id, third.id])
    assert [v.title for v in views] == ["Trường học", "Bãi đỗ xe"]
    assert services.catalog.get_many([]) == []


def test_activity_names_the_actor_by_user_name(services) -> None:
    dataset, _rid, _publisher, steward = publish_sample(services)
    entries = services.catalog.activity(dataset.id)
    assert [e.action for e in entries][:2] == ["approve", "submit"]
    names = {e.actor for e in entries}
    assert services.accounts.get_user(steward.user_id).name in names
    assert all("@" not in name for name in names)


def test_published_tables_carry_column_statistics(services) -> None:
    dataset, *_ = publish_sample(services)
    view = services.catalog.get(dataset.name)
    stats = view.resources[0].column_stats
    assert stats["rows"] == 4
    so_cho = next(c for c in stats["columns"] if c["name"] == "so_cho")
    assert (so_cho["min"], so_cho["max"]) == (18, 40)


def test_remembered_views_follow_every_stamp_change(services) -> None:
    dataset, _rid, _pub, steward = publish_sample(services)
    first = services.catalog.get(dataset.name)
    assert services.catalog.get(dataset.name) is first  # remembered
    services.catalog.record_download(dataset.id)
    counted = services.catalog.get(dataset.name)
    assert counted is not first and counted.downloads == 1
    assert services.catalog.get_many([dataset.id]) == [counted]
    # The very same view while the stamp stays: lists remember their JSON by it.
    assert services.catalog.get_many([dataset.id])[0] is counted
    services.workflow.withdraw(steward, dataset.name, "Dữ liệu sai")
    assert services.catalog.get(dataset.name) is None
    assert services.catalog.get_many([dataset.id]) == []


def test_view_cache_forgets_after_its_time_and_beyond_its_size() -> None:
    now = [0.0]
    cache = ViewCache(10, size=2, clock=lambda: now[0])
    cache.put("a", (1,), "view a")
    assert cache.get("a", (1,)) == "view a" and cache.get("a", (2,)) is None
    cache.put("a", (1,), "view a")
    now[0] = 11.0
    assert cache.get("a", (1,)) is None  # expired
    for key in ("a", "b", "c"):
        cache.put(key, (1,), key)
    assert cache.get("a", (1,)) is None and cache.get("c", (1,)) == "c"
    # Many keys at once: only those with the same stamp and within their time.
    cache.put("d", (1,), "d")
    assert cache.get_many({"a": (1,), "c": (2,), "d": (1,)}) == {"d": "d"}
    assert cache.get("c", (1,)) is None  # a stale stamp is forgotten
    now[0] = 21.5
    assert cache.get_many({"d": (1,)}) == {}
