"""Examples of the REST API's bodies, by schema name (``components.schemas``).

Each is a realistic answer or request of the portal; tests validate every one against its
schema, so an example cannot drift from the shape it illustrates.
"""

from __future__ import annotations

from typing import Any

from datasets.access import ACCESS_LEVELS

_SITE = "https://opendata.hochiminhcity.gov.vn"
_T0 = "2025-06-15T17:05:42Z"
_T1 = "2025-06-16T08:30:00Z"
_DATASET_ID = "7a1c2f0e-5d3b-4c1a-9e8f-2b6d4a1c0e11"
_RESOURCE_ID = "3f9e8d7c-6b5a-4e3d-8c2b-1a0f9e8d7c6b"

ORGANIZATION: dict[str, Any] = {
    "id": "8f0c2a1e-4b3d-4e5f-9a8b-7c6d5e4f3a2b",
    "name": "so-giao-thong-van-tai",
    "title": "Sở Giao thông Vận tải",
    "title_translated": {"vi": "Sở Giao thông Vận tải", "en": "Department of Transport"},
    "description": "Cơ quan chuyên môn về giao thông của Thành phố.",
    "email": "sgtvt@tphcm.gov.vn",
    "homepage": "https://sgtvt.hochiminhcity.gov.vn/",
}
RESOURCE: dict[str, Any] = {
    "id": _RESOURCE_ID,
    "name": "Danh sách tuyến xe buýt",
    "description": "Các tuyến xe buýt có trợ giá đang hoạt động.",
    "format": "CSV",
    "media_type": "text/csv",
    "size": 18342,
    "sha256": "9f2c1e0b6a3d4c5e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e",
    "download_url": f"{_SITE}/dataset/tuyen-xe-buyt/resource/{_RESOURCE_ID}/download/tuyen.csv",
    "is_tabular": True,
    "row_count": 152,
    "encoding": "cp1258",
    "sheet": None,
    "status": "ready",
    "created": _T0,
    "modified": _T0,
    "projection": "public",
    "columns": None,
}
DATASET: dict[str, Any] = {
    "id": _DATASET_ID,
    "name": "tuyen-xe-buyt",
    "title": "Tuyến xe buýt có trợ giá",
    "description": "Danh sách các tuyến xe buýt có trợ giá trên địa bàn Thành phố.",
    "title_translated": {"vi": "Tuyến xe buýt có trợ giá", "en": "Subsidised bus routes"},
    "description_translated": {
        "vi": "Danh sách các tuyến xe buýt có trợ giá trên địa bàn Thành phố.",
        "en": "Subsidised bus routes in Ho Chi Minh City.",
    },
    "organization": ORGANIZATION,
    "state": "published",
    "has_pending_revision": False,
    "tags": ["xe buýt", "giao thông công cộng"],
    "themes": ["giao-thong"],
    "license_id": "cc-by-4.0",
    "contact_email": "dulieumo.sgtvt@tphcm.gov.vn",
    "temporal_start": "2025-01-01",
    "temporal_end": None,
    "spatial": "",
    "spatial_units": ["79"],
    "spatial_places": [
        {
            "key": "79",
            "code": "79",
            "name": "Thành phố Hồ Chí Minh",
            "obsolete": False,
            "uri": f"{_SITE}/places/79",
        }
    ],
    "frequency": "MONTHLY",
    "access_level": "public",
    "access_instructions": "",
    "resources": [RESOURCE],
    "created": _T0,
    "modified": _T1,
    "usage": {"downloads": 412, "api_calls": 2051, "downloads_30d": 37, "api_calls_30d": 198},
}
_ACTIVITY = {
    "id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    "action": "approve",
    "from_state": "submitted",
    "to_state": "published",
    "timestamp": _T1,
}
_ACCESS_REQUEST = {
    "id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "dataset": "giay-phep-xay-dung",
    "dataset_id": "5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b",
    "requester": "nguyen.van.an",
    "organization": "so-xay-dung",
    "purpose": "Đối chiếu giấy phép khi thanh tra công trình.",
    "legal_basis": "Luật Xây dựng 2014, Điều 106",
    "columns": ["so_giay_phep", "dia_chi", "ngay_cap"],
    "until": "2026-12-31",
    "status": "approved",
    "reason": "",
    "decided_by": "tran.thi.binh",
    "decided_at": _T1,
    "grant_id": "f0e1d2c3-b4a5-4968-8776-655443322110",
    "created": _T0,
}
_GRANT = {
    "id": "f0e1d2c3-b4a5-4968-8776-655443322110",
    "dataset": "giay-phep-xay-dung",
    "dataset_id": "5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b",
    "user": None,
    "organization": "so-xay-dung",
    "projection": "agency",
    "columns": ["so_giay_phep", "dia_chi", "ngay_cap"],
    "purpose": "Đối chiếu giấy phép khi thanh tra công trình.",
    "legal_basis": "Luật Xây dựng 2014, Điều 106",
    "approved_by": "tran.thi.binh",
    "created": _T1,
    "expires": "2026-12-31T23:59:59Z",
    "revoked_at": None,
    "request_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "active": True,
}

_DATA_REQUEST = {
    "id": "d4c3b2a1-0f9e-4d8c-b7a6-5f4e3d2c1b0a",
    "title": "Vị trí các trạm sạc xe điện",
    "description": "Cần để làm bản đồ trạm sạc cho người dân.",
    "organization": "so-giao-thong-van-tai",
    "organization_title": "Sở Giao thông Vận tải",
    "requester": None,
    "status": "published",
    "answer": "Đã công bố, cập nhật hằng tháng.",
    "dataset": "tram-sac-xe-dien",
    "dataset_title": "Trạm sạc xe điện",
    "votes": 12,
    "created": _T0,
    "updated": _T1,
}
_REQUEST_HISTORY = [
    {"status": "open", "note": "", "created": _T0},
    {"status": "published", "note": "Đã công bố, cập nhật hằng tháng.", "created": _T1},
]


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return {"items": [item], "total": 1, "next": None}


EXAMPLES: dict[str, Any] = {
    "Organization": {**ORGANIZATION, "dataset_count": 24},
    "OrganizationList": _page({**ORGANIZATION, "dataset_count": 24}),
    "Resource": RESOURCE,
    "Dataset": DATASET,
    "DatasetList": {
        **_page(DATASET),
        "facets": {
            "access_level": {level: int(level == "public") for level in ACCESS_LEVELS},
            "place": {"79": 1},
        },
    },
    "DatasetInput": {
        "organization": "so-giao-thong-van-tai",
        "title": "Tuyến xe buýt có trợ giá",
        "title_translated": {"en": "Subsidised bus routes"},
        "description": "Danh sách các tuyến xe buýt có trợ giá trên địa bàn Thành phố.",
        "tags": ["xe buýt"],
        "themes": ["giao-thong"],
        "license_id": "cc-by-4.0",
        "frequency": "MONTHLY",
        "spatial_units": ["79"],
    },
    "LinkInput": {
        "url": "https://buyttphcm.com.vn/gtfs/gtfs.zip",
        "name": "GTFS",
        "format": "ZIP",
        "description": "Liên kết tới nguồn GTFS chính thức.",
    },
    "ValidationReport": {
        "valid": False,
        "row_count": 152,
        "errors": [
            {
                "code": "type-error",
                "row": 9,
                "field_number": 3,
                "field_name": "do_dai_km",
                "message": 'Type error in the cell "8,5" in row "9" and field "do_dai_km".',
            }
        ],
        "truncated": False,
        "places": [
            {
                "column": "phuong_xa",
                "level": "commune",
                "codes": False,
                "cells": 152,
                "current": 140,
                "obsolete": 12,
                "unknown": 0,
                "obsolete_values": [
                    {
                        "value": "Phường Bến Nghé",
                        "count": 12,
                        "rows": [4, 17, 30],
                        "current": [{"code": "26740", "name": "Phường Sài Gòn"}],
                        "context": "Quận 1",
                        "ambiguous": False,
                    }
                ],
                "unknown_values": [],
                "complete": True,
            }
        ],
        "status": "ready",
    },
    "UnitCodesInput": {"column": "phuong_xa"},
    "Findings": {
        "findings": [
            {
                "column": "so_dien_thoai",
                "kind": "phone",
                "share": 0.98,
                "confidence": 0.95,
                "proposal": "",
                "decision": {
                    "column": "so_dien_thoai",
                    "action": "mask",
                    "justification": "",
                    "decided_by": "policy",
                },
            }
        ],
        "smallest_group": None,
    },
    "DecisionsInput": {"decisions": [{"column": "so_dien_thoai", "action": "drop"}]},
    "Comment": {"comment": "Đã kiểm tra, đồng ý công bố."},
    "DatasetApproval": {"comment": "Đã kiểm tra, đồng ý công bố.", "license_id": "cc-by-4.0"},
    "RequiredComment": {"comment": "Cột ngày cấp sai định dạng, xin sửa lại."},
    "ActivityList": _page(_ACTIVITY),
    "ChangeList": _page(
        {
            "dataset_id": _DATASET_ID,
            "dataset_name": "tuyen-xe-buyt",
            "change": "published",
            "timestamp": _T1,
            "url": f"{_SITE}/api/v1/datasets/tuyen-xe-buyt",
        }
    ),
    "Records": {
        "fields": [{"name": "ma_tuyen", "type": "text"}, {"name": "do_dai_km", "type": "number"}],
        "items": [{"ma_tuyen": "01", "do_dai_km": 8.5}, {"ma_tuyen": "19", "do_dai_km": 28.1}],
        "total": 152,
        "next": f"{_SITE}/api/v1/datasets/tuyen-xe-buyt/resources/{_RESOURCE_ID}/records"
        "?_limit=2&_cursor=Ag",
        "facets": [  # ?_facet=loai
            {
                "column": "loai",
                "type": "text",
                "values": [
                    {"value": "Xe buýt thường", "count": 131},
                    {"value": "Xe điện", "count": 21},
                ],
                "more": False,
            }
        ],
    },
    "AccessRequest": _ACCESS_REQUEST,
    "AccessRequestList": _page(_ACCESS_REQUEST),
    "AccessRequestInput": {
        "purpose": "Đối chiếu giấy phép khi thanh tra công trình.",
        "legal_basis": "Luật Xây dựng 2014, Điều 106",
        "columns": ["so_giay_phep", "dia_chi", "ngay_cap"],
        "until": "2026-12-31",
        "organization": "so-xay-dung",
    },
    "Approval": {"expires": "2026-12-31", "columns": None},
    "Refusal": {"reason": "Mục đích không cần đến dữ liệu cá nhân."},
    "Grant": _GRANT,
    "GrantList": _page(_GRANT),
    "AccessLog": {
        "items": [
            {
                "created": _T1,
                "dataset": "giay-phep-xay-dung",
                "resource_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                "user": "nguyen.van.an",
                "organizations": ["so-xay-dung"],
                "surface": "api",
                "projection": "agency",
                "rows": 100,
                "grant_id": "f0e1d2c3-b4a5-4968-8776-655443322110",
            }
        ],
        "total": None,
        "next": None,
    },
    "DataRequest": {**_DATA_REQUEST, "history": _REQUEST_HISTORY},
    "DataRequestList": _page(_DATA_REQUEST),
    "DataRequestInput": {
        "title": "Vị trí các trạm sạc xe điện",
        "description": "Cần để làm bản đồ trạm sạc cho người dân.",
        "organization": "so-giao-thong-van-tai",
        "show_name": False,
    },
}

# One error answer per status the API documents (``{"error": {"code", "message"}}``).
ERROR_EXAMPLES: dict[str, dict[str, Any]] = {
    status: {"error": {"code": code, "message": message}}
    for status, code, message in (
        ("400", "bad_request", "page_size must be an integer from 1 to 100."),
        ("401", "unauthorized", "The token is invalid, expired or revoked."),
        ("403", "forbidden", "You may not edit this dataset."),
        ("404", "not_found", "Dataset not found."),
        ("409", "conflict", "The dataset was changed meanwhile; read it again."),
        ("412", "precondition_failed", "If-Match does not match the dataset's current ETag."),
        ("413", "payload_too_large", "The file is larger than 100 MB."),
        ("422", "validation_failed", "Some fields are not valid."),
        ("428", "precondition_required", "Send the dataset's ETag in If-Match."),
        ("429", "rate_limited", "Too many requests; try again in 30 seconds."),
    )
}
