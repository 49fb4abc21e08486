"""Column titles in two languages: fallbacks, proposals, carrying over, stripping (issue 21)."""

from __future__ import annotations

import frictionless

from datasets.column_labels import carry_labels, field_texts, humanise, label, labels
from datasets.personal import Action, ColumnDecision
from datasets.processing import public_schema
from datasets.schema_edit import edits_from_schema, schema_from_edits, with_proposed_titles

SCHEMA = {
    "fields": [
        {"name": "ma_bv", "type": "string"},
        {
            "name": "cap_cuu_24h",
            "type": "boolean",
            "title": "Cấp cứu 24 giờ",
            "description": "Có nhận cấp cứu suốt ngày đêm.",
            "title_en": "24-hour emergency",
            "description_en": "Takes emergencies day and night.",
            "constraints": {"required": True},
        },
        {"name": "so_dien_thoai", "type": "integer", "title": "Số điện thoại"},
    ]
}


def test_humanise_proposes_a_plain_title_from_the_header() -> None:
    assert humanise("cap_cuu_24h") == "Cap cuu 24h"
    assert humanise("Cấp cứu  24h") == "Cấp cứu 24h"  # an accented header is kept as it is
    assert humanise("___") == "___"  # nothing left: the raw name


def test_a_label_falls_back_to_vietnamese_then_to_the_raw_name() -> None:
    vi, en = labels(SCHEMA, "vi"), labels(SCHEMA, "en")
    assert vi["cap_cuu_24h"].title == "Cấp cứu 24 giờ" and vi["cap_cuu_24h"].titled
    assert en["cap_cuu_24h"].description == "Takes emergencies day and night."
    assert en["so_dien_thoai"].title == "Số điện thoại"  # no English title: the Vietnamese one
    assert vi["ma_bv"].title == "ma_bv" and not vi["ma_bv"].titled
    assert label({"name": "x", "title": "   "}, "vi").title == "x"
    assert labels(None, "vi") == {}
    assert field_texts(SCHEMA)[0] == {
        "name": "ma_bv",
        "type": "string",
        "title": {"vi": "ma_bv", "en": "ma_bv"},
        "description": {"vi": "", "en": ""},
    }


def test_the_editor_round_trips_both_languages_and_frictionless_accepts_them() -> None:
    rows = edits_from_schema(SCHEMA)
    assert (rows[1].title_en, rows[1].description_en) == (
        "24-hour emergency",
        "Takes emergencies day and night.",
    )
    proposed = with_proposed_titles(rows)
    assert [r.title for r in proposed] == ["Ma bv", "Cấp cứu 24 giờ", "Số điện thoại"]
    saved = schema_from_edits(SCHEMA, rows)
    assert saved == SCHEMA
    assert list(frictionless.Schema.metadata_validate(saved)) == []
    field = frictionless.Schema.from_descriptor(saved).get_field("cap_cuu_24h")
    assert field.to_descriptor()["title_en"] == "24-hour emergency"


def test_stripping_keeps_the_titles_of_a_retyped_column() -> None:
    decisions = [
        ColumnDecision(column="so_dien_thoai", kind="phone", action=Action.MASK),
        ColumnDecision(column="ma_bv", kind="citizen_id", action=Action.DROP),
    ]
    stripped = public_schema(SCHEMA, decisions)
    assert [f["name"] for f in stripped["fields"]] == ["cap_cuu_24h", "so_dien_thoai"]
    assert stripped["fields"][0]["title_en"] == "24-hour emergency"
    assert stripped["fields"][1] == {
        "name": "so_dien_thoai",
        "title": "Số điện thoại",
        "type": "string",
    }
    retyped = public_schema(
        SCHEMA, [ColumnDecision(column="cap_cuu_24h", kind="phone", action=Action.MASK)]
    )
    assert retyped["fields"][1] == {
        "name": "cap_cuu_24h",
        "title": "Cấp cứu 24 giờ",
        "description": "Có nhận cấp cứu suốt ngày đêm.",
        "title_en": "24-hour emergency",
        "description_en": "Takes emergencies day and night.",
        "type": "string",
    }


def test_carrying_fills_matching_columns_only_and_keeps_newer_titles() -> None:
    inferred = {
        "fields": [
            {"name": "cap_cuu_24h", "type": "string"},
            {"name": "so_dien_thoai", "type": "string", "title": "Điện thoại"},
            {"name": "moi", "type": "string"},
        ]
    }
    older = {"fields": [{"name": "cap_cuu_24h", "title": "Cũ", "title_en": "Old"}]}
    carried = carry_labels(inferred, [SCHEMA, older, None])
    first, second, third = carried["fields"]
    assert first["title"] == "Cấp cứu 24 giờ" and first["type"] == "string"
    assert first["description_en"] == "Takes emergencies day and night."
    assert second["title"] == "Điện thoại"  # its own title wins
    assert third == {"name": "moi", "type": "string"}
