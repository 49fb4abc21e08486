"""Places (issue 22): the page and JSON of each administrative unit at its stable URI, the
list of the city's units, and ``place_coverage`` for the dataset page (filters and names
for searches and forms are in ``app.place_filters``).

``/places/<key>`` is the URI DCAT's ``dct:spatial`` gives for a unit (``Unit.uri``), so
it must resolve: HTML for people, ``/places/<key>.json`` for programs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue

from app.context import services
from datasets.places import CITY_CODE, PlaceCatalogue, Unit, place_catalogue
from publishers import NotFound

bp = Blueprint("places", __name__)


def _unit_json(catalogue: PlaceCatalogue, unit: Unit) -> dict[str, Any]:
    site = services().settings.site_url
    return {
        "key": unit.key,
        "code": unit.code,
        "name": unit.name,
        "label": catalogue.label(unit),
        "short_name": unit.short_name,
        "level": unit.level,
        "province_code": unit.province_code,
        "generation": unit.generation,
        "obsolete": unit.obsolete,
        "uri": unit.uri(site),
    }


def _unit_or_404(key: str) -> Unit:
    unit = place_catalogue().unit(key) if len(key) <= 20 else None
    if unit is None or unit.key != key:
        raise NotFound("place not found", name=key)
    return unit


@bp.get("/places")
def places() -> ResponseReturnValue:
    catalogue = place_catalogue()
    return render_template(
        "places/list.html",
        city=catalogue.city(),
        units=catalogue.current_units(CITY_CODE),
        versions=catalogue.versions,
    )


@bp.get("/places/<string:key>")
def place(key: str) -> ResponseReturnValue:
    if key.endswith(".json"):
        return place_json(key.removesuffix(".json"))
    catalogue = place_catalogue()
    unit = _unit_or_404(key)
    return render_template(
        "places/place.html",
        unit=unit,
        label=catalogue.label(unit),
        current=[u for u in catalogue.successors(unit) if u != unit],
        before=catalogue.predecessors(unit),
        catalogue=catalogue,
        uri=unit.uri(services().settings.site_url),
    )


def place_json(key: str) -> ResponseReturnValue:
    catalogue = place_catalogue()
    unit = _unit_or_404(key)
    body = _unit_json(catalogue, unit)
    body["current"] = [_unit_json(catalogue, u) for u in catalogue.successors(unit)]
    body["predecessors"] = [_unit_json(catalogue, u) for u in catalogue.predecessors(unit)]
    body["datasets"] = url_for("public.search", place=unit.key, _external=True)
    body["source"] = catalogue.versions
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def place_coverage(keys: Iterable[str]) -> list[dict[str, Any]]:
    """What a dataset page shows of its covered units: name, link, what old ones became."""
    catalogue = place_catalogue()
    out = []
    for key in keys:
        unit = catalogue.unit(key)
        if unit is None:
            continue
        out.append(
            {
                "key": unit.key,
                "label": catalogue.label(unit),
                "obsolete": unit.obsolete,
                "current": [u.name for u in catalogue.successors(unit)] if unit.obsolete else [],
            }
        )
    return out


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"place_coverage": place_coverage}
