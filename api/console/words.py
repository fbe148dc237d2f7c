"""Codes explained in words, in the page's language: officers' actions, where a status
change came from, and the rules a parcel broke (English titles: customs.domain.errors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from customs.domain.errors import CATALOGUE

ACTIONS = {
    "hold": _l("Hold for inspection"),
    "request_documents": _l("Request documents"),
    "release": _l("Release"),
    "refuse": _l("Refuse"),
    "assess_duty": _l("Assess duty"),
}
SOURCES = {
    "OFFICER:INSPECTION": _l("an officer held it for inspection"),
    "OFFICER:DOCUMENTS": _l("an officer requested documents"),
    "OFFICER:RELEASE": _l("an officer released it"),
    "OFFICER:REFUSE": _l("an officer refused it"),
    "OFFICER:DUTY": _l("an officer assessed duty"),
    "INTAKE": _l("manifest intake"),
    "BATCH": _l("batching"),
    "SUBMISSION": _l("sent to customs"),
}
VIOLATIONS = {
    "SCHEMA_VIOLATION": _l("The parcel breaks the manifest schema."),
    "PARCEL_LIMIT_EXCEEDED": _l("The parcel is larger than the reader's limits."),
    "TRACKING_S10_CHECK_DIGIT": _l("The S10 tracking number's check digit is wrong."),
    "TRACKING_DUPLICATE_IN_MANIFEST": _l("The tracking number appears twice in the manifest."),
    "TRACKING_DUPLICATE_OPEN": _l("The marketplace has an open parcel with this number."),
    "HS_CODE_LENGTH": _l("The HS code is shorter than the destination's tariff requires."),
    "HS_CODE_UNKNOWN": _l("The HS code is not in the nomenclature."),
    "COUNTRY_UNKNOWN": _l("A country code is not an ISO 3166-1 code."),
    "CURRENCY_UNKNOWN": _l("A currency code is not an ISO 4217 code."),
    "CURRENCY_MISMATCH": _l("An item's value is in another currency than the parcel's."),
    "VALUE_MISMATCH": _l("The items' values do not add up to the declared value."),
    "NET_WEIGHT_EXCEEDS_GROSS": _l("The items' net weights exceed the gross weight."),
    "RECIPIENT_COUNTRY_MISMATCH": _l("The recipient's country is not the destination."),
    "PERSONAL_ID_REQUIRED": _l("The destination requires the recipient's personal ID."),
    "PRODUCT_URL_REQUIRED": _l("The destination requires a product URL for every item."),
    "IOSS_REQUIRED": _l("A low-value parcel to the EU needs the seller's IOSS number."),
}


def action_word(action: str) -> str:
    return str(ACTIONS.get(action, action))


def source_word(source: str | None) -> str:
    """FTS:31 and CEB:800 are the authority's own codes: shown as they are."""
    if not source:
        return ""
    return str(SOURCES.get(source, source))


def violation_word(code: str) -> str:
    found = VIOLATIONS.get(code)
    if found is not None:
        return str(found)
    known = CATALOGUE.get(code)
    return known.title if known else code
