"""The codes people meet in the console, explained in words (catalogued for ru and en):
the rule violations a manifest's parcel can get, the authority's decision codes kept as an
event's source (FTS:31), and the officers' actions. An unknown code is shown as it is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

VIOLATIONS = {
    "SCHEMA_VIOLATION": _l("The parcel does not follow the manifest schema (a field is "
                           "missing, too long or badly formed)."),
    "COUNTRY_UNKNOWN": _l("The country code is not an ISO 3166-1 country."),
    "RECIPIENT_COUNTRY_MISMATCH": _l("The recipient's country is not the manifest's "
                                     "destination."),
    "CURRENCY_UNKNOWN": _l("The currency is not an ISO 4217 currency."),
    "CURRENCY_MISMATCH": _l("The goods are valued in another currency than the parcel."),
    "HS_CODE_LENGTH": _l("The HS code has the wrong number of digits for the destination's "
                         "tariff."),
    "HS_CODE_UNKNOWN": _l("The HS code is not in the customs nomenclature."),
    "PRODUCT_URL_REQUIRED": _l("The destination requires a link to each product's page."),
    "VALUE_MISMATCH": _l("The goods' values do not add up to the parcel's declared value."),
    "NET_WEIGHT_EXCEEDS_GROSS": _l("The goods weigh more (net) than the parcel (gross)."),
    "PERSONAL_ID_REQUIRED": _l("The destination requires the recipient's personal "
                               "identifier (passport, tax number)."),
    "IOSS_REQUIRED": _l("Low-value goods to the EU need the seller's IOSS number."),
    "TRACKING_DUPLICATE_IN_MANIFEST": _l("The tracking number appears more than once in the "
                                         "manifest."),
    "TRACKING_DUPLICATE_OPEN": _l("A parcel with this tracking number is already being "
                                  "cleared."),
    "TRACKING_S10_CHECK_DIGIT": _l("The postal tracking number (UPU S10) has a wrong check "
                                   "digit: it was mistyped."),
    "MANIFEST_WAYBILL_CHECK_DIGIT": _l("The master air waybill's check digit is wrong."),
    "PARCEL_LIMIT_EXCEEDED": _l("The parcel is too large (too many goods or too deep); it "
                                "was not read."),
    "MANIFEST_NOT_WELL_FORMED": _l("The file is not well-formed XML."),
    "MANIFEST_ENVELOPE_INVALID": _l("The manifest's header does not follow the schema."),
}

DECISIONS = {
    "FTS:10": _l("Customs released the goods."),
    "FTS:30": _l("Customs released the goods (returned goods)."),
    "FTS:31": _l("Customs requires the payment of duties before release."),
    "FTS:32": _l("Released: the duties are paid."),
    "FTS:40": _l("Customs permitted the declaration's withdrawal."),
    "FTS:50": _l("Preliminary decision: release without payment."),
    "FTS:51": _l("Preliminary decision: release once the duties are paid."),
    "FTS:60": _l("Customs suspended the release."),
    "FTS:61": _l("Customs extended the suspension."),
    "FTS:62": _l("Customs cancelled the suspension; the decision on release follows."),
    "FTS:70": _l("Customs extended the release period."),
    "FTS:90": _l("Customs refused the release."),
    "FTS:92": _l("Customs requires an inspection."),
    "FTS:REQ-CORRECT": _l("Customs asks for corrections to the declaration."),
    "OFFICER:INSPECTION": _l("An officer held the parcel for inspection."),
    "OFFICER:DOCUMENTS": _l("An officer asked for documents; the parcel waits for them."),
    "OFFICER:RELEASE": _l("An officer released the parcel."),
    "OFFICER:REFUSE": _l("An officer refused the parcel."),
    "OFFICER:DUTY": _l("An officer assessed the duty to pay."),
    "INTAKE": _l("Received in a manifest and checked against the rules."),
}
# The officers' actions (domain.officer.OfficerAction) are the same decisions by name.
ACTIONS = {"hold": "OFFICER:INSPECTION", "request_documents": "OFFICER:DOCUMENTS",
           "release": "OFFICER:RELEASE", "refuse": "OFFICER:REFUSE",
           "assess_duty": "OFFICER:DUTY"}


def explain(code: str | None) -> str:
    """Words for a violation, decision or action code; '' for an unknown or empty one."""
    if not code:
        return ""
    found = VIOLATIONS.get(code) or DECISIONS.get(ACTIONS.get(code, code))
    return "" if found is None else str(found)
