"""Every harvestable field of ``METADATA_FIELDS`` survives sanitize and the import mapping."""

from __future__ import annotations

from datasets.metadata_input import METADATA_FIELDS
from harvesters.base import RemoteRecord
from harvesters.decision import decide_licence, metadata_for
from harvesters.sanitize import ALLOWED_FIELDS, strip_metadata
from tests.datasets.test_metadata_fields import full_metadata

# Fields a harvest carries outside ``RemoteRecord.fields`` (record title, tags, period) ...
_ON_THE_RECORD = {"title_vi", "tags", "temporal_start", "temporal_end"}
# ... and fields no harvest sets (themes are the portal's; extras are CKAN clients' own;
# units arrive by name in ``spatial`` and ``clean_metadata`` resolves them on import).
_NOT_HARVESTED = {"access_level", "access_instructions", "themes", "extras", "spatial_units"}


def test_every_harvestable_field_survives_sanitize_and_import() -> None:
    meta = full_metadata()
    fields = {
        key: str(getattr(meta, spec.name)) for spec in METADATA_FIELDS for key in spec.harvest_keys
    }
    record = RemoteRecord(
        remote_id="tram-sac",
        stamp="1",
        title=meta.title_vi,
        fields={**fields, "internal_notes": "không công bố"},
        tags=meta.tags,
        temporal_start=meta.temporal_start,
        temporal_end=meta.temporal_end,
    )
    stripped = strip_metadata(record, "lienhe@sct.tphcm.gov.vn")
    assert set(stripped.fields) == set(fields) <= ALLOWED_FIELDS
    mapped = metadata_for(stripped, decide_licence(stripped.fields, "").license_id)
    for spec in METADATA_FIELDS:
        if spec.name in _NOT_HARVESTED:
            assert not spec.harvest_keys
            continue
        assert spec.harvest_keys or spec.name in _ON_THE_RECORD, f"how is {spec.name} harvested?"
        assert getattr(mapped, spec.name) == getattr(meta, spec.name), spec.name
