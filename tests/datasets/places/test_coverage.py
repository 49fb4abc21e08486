"""Coverage text and keys resolved to units; what the place facet indexes for them."""

from __future__ import annotations

import pytest

from datasets.places import coverage_label, place_catalogue, resolve_coverage, search_keys


@pytest.mark.parametrize(
    ("text", "keys", "rest"),
    [
        ("Thành phố Hồ Chí Minh", ("79",), ""),
        ("TP.HCM; P. Bến Thành", ("79", "26743"), ""),
        ("Quận 1, Quận 3", ("old-760", "old-770"), ""),  # a list of units of one level
        ("Phường 1, Quận 3", ("old-27160",), ""),  # a ward with its old district
        ("Phường 1", (), "Phường 1"),  # ambiguous: kept as text, never guessed
        ("Sông Sài Gòn\nPhường Bến Nghé", ("old-26740",), "Sông Sài Gòn"),
        ("Hà Nội", ("01",), ""),  # outside the city: another province
        ("Xã Thạnh An", ("27676",), ""),  # not Xã Thanh An (25807): accents decide
        ("Xa Thanh An", (), "Xa Thanh An"),  # without accents both answer
    ],
)
def test_text_is_stored_as_units_where_it_names_one(
    text: str, keys: tuple[str, ...], rest: str
) -> None:
    coverage = resolve_coverage(place_catalogue(), (), text)
    assert (coverage.keys, coverage.text) == (keys, rest)


def test_keys_codes_and_names_are_accepted_and_unknown_ones_refused() -> None:
    catalogue = place_catalogue()
    coverage = resolve_coverage(catalogue, ("79", "26740", "old-760", "Phường Tân Định"), "")
    assert coverage.keys == ("79", "26740", "old-760", "26737")
    with pytest.raises(ValueError):
        resolve_coverage(catalogue, ("99999",), "")


def test_every_unit_label_reads_back_as_the_same_unit() -> None:
    catalogue = place_catalogue()
    units = (catalogue.city(), *catalogue.current_units(), *catalogue.old_units())
    assert len(units) == 1 + 168 + 479
    for unit in units:
        label = coverage_label(catalogue, (unit.key,), "")
        assert resolve_coverage(catalogue, (), label).keys == (unit.key,), label


def test_search_keys_reach_old_and_current_units_one_step_each_way() -> None:
    catalogue = place_catalogue()
    ben_thanh = search_keys(catalogue, ("26743",))
    # old Bến Thành, Phạm Ngũ Lão, Cầu Ông Lãnh (part), Nguyễn Thái Bình (part), old Quận 1
    assert set(ben_thanh) == {
        "26743",
        "old-26743",
        "old-26749",
        "old-26752",
        "old-26746",
        "old-760",
    }
    da_kao = search_keys(catalogue, ("old-26737",))
    assert set(da_kao) == {"old-26737", "26740", "26737"}
