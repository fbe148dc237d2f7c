"""Parameters and headers many operations share, declared once (their JSON Schemas are
generated from the types). The values are parsed by api/params.py and api/pagination.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from api.spec.models_common import Status
from api.spec.registry import Param

STR = {"schema": {"type": "string"}}
LIMIT = Param("limit", "query", Annotated[int, Field(ge=1, le=500)],
              "page size (default 100; at most CUSTOMS_PAGE_SIZE_MAX)", example=100)
CURSOR = Param("cursor", "query", str, "next_cursor of the previous page (signed: use it as "
                                       "given, with the same API key and parameters)")
PAGE = (LIMIT, CURSOR)
IF_NONE_MATCH = Param("If-None-Match", "header", str,
                      "the ETag you hold: 304 Not Modified if it is still current")
IF_MATCH = Param("If-Match", "header", str,
                 "the parcel's ETag you decided on: 412 if it changed since")
PARCEL = Param("parcel", "path", str, "the parcel's public id (pcl_...) or its tracking "
                                      "number (409 TRACKING_NUMBER_AMBIGUOUS when several "
                                      "parcels in scope carry it)", example="RR123456785CN")
MARKETPLACE = Param("marketplace", "query", str, "Officers and couriers: the marketplace, "
                                                 "when the same tracking number is used by "
                                                 "several")
ONE_PARCEL = (PARCEL, MARKETPLACE)
STATUS = Param("status", "query", Status, "only parcels in this status")
DATE = Annotated[str, Field(description="ISO 8601 date or date-time with offset")]
DAY = Annotated[str, Field(json_schema_extra={"format": "date"})]
SORT = Literal["received_at", "-received_at", "value", "-value"]

ETAG = {"ETag": {**STR, "description": "strong: the SHA-256 of the document, which never "
                                       "changes"}}
VERSION = {"ETag": {**STR, "description": "the parcel's version: send it as If-Match with a "
                                          "decision"}}
LOCATION = {"Location": STR}
NOT_MODIFIED_HEADERS = ETAG
XML = {"application/xml": {"schema": {"type": "string"}}}
