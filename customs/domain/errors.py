"""Stable error codes: the catalogue that docs/errors.md documents and the API returns.

A code never changes meaning once published; add new codes instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    scope: str  # "manifest" refuses the whole document, "parcel" rejects one parcel,
    # "correction" refuses a correction
    title: str


_CODES = (
    # The document as a whole
    ErrorCode("MANIFEST_TOO_LARGE", "manifest", "The body is larger than the configured cap."),
    ErrorCode("MANIFEST_NOT_WELL_FORMED", "manifest",
              "The body is not well-formed XML (or, sent as JSON, not JSON)."),
    ErrorCode("MANIFEST_ENCODING_INVALID", "manifest",
              "A JSON manifest that is not UTF-8, or holds a lone surrogate escape."),
    ErrorCode("MANIFEST_DTD_FORBIDDEN", "manifest",
              "The document has a DOCTYPE; DTDs and entities are refused."),
    ErrorCode("MANIFEST_TOO_MANY_ELEMENTS", "manifest",
              "More parcels or elements than the configured caps."),
    ErrorCode("MANIFEST_LIMIT_EXCEEDED", "manifest",
              "Outside the parcels, more namespace declarations, elements or attributes (JSON: "
              "values, keys) than the reader's limits, or JSON nested too deep."),
    ErrorCode("MANIFEST_WRONG_ROOT", "manifest",
              "The root element is not Manifest in urn:customs:manifest:1."),
    ErrorCode("MANIFEST_ENVELOPE_INVALID", "manifest",
              "The manifest header breaks the schema; nothing was accepted."),
    ErrorCode("MANIFEST_DESTINATION_UNKNOWN", "manifest",
              "The destination country is not an ISO 3166-1 code."),
    ErrorCode("MANIFEST_WAYBILL_CHECK_DIGIT", "manifest",
              "The master air waybill's check digit (serial mod 7) is wrong."),
    # One parcel
    ErrorCode("SCHEMA_VIOLATION", "parcel", "The parcel breaks the manifest schema."),
    ErrorCode("PARCEL_LIMIT_EXCEEDED", "parcel",
              "The parcel has more elements, attributes or namespace declarations (JSON: "
              "values, keys) than the reader's limits; it was not validated."),
    ErrorCode("TRACKING_S10_CHECK_DIGIT", "parcel",
              "A UPU S10 tracking number whose check digit is wrong."),
    ErrorCode("TRACKING_DUPLICATE_IN_MANIFEST", "parcel",
              "The tracking number appears more than once in this manifest."),
    ErrorCode("TRACKING_DUPLICATE_OPEN", "parcel",
              "The marketplace already has an open parcel with this tracking number."),
    ErrorCode("HS_CODE_LENGTH", "parcel",
              "The HS code is shorter than the destination's tariff requires."),
    ErrorCode("HS_CODE_UNKNOWN", "parcel",
              "The HS code's 6-digit prefix is not in the loaded nomenclature."),
    ErrorCode("COUNTRY_UNKNOWN", "parcel", "A country code is not an ISO 3166-1 alpha-2 code."),
    ErrorCode("CURRENCY_UNKNOWN", "parcel", "A currency code is not an ISO 4217 code."),
    ErrorCode("CURRENCY_MISMATCH", "parcel",
              "An item's value is in another currency than the declared value."),
    ErrorCode("VALUE_MISMATCH", "parcel",
              "The items' values do not add up to the declared value (tolerance 0.01)."),
    ErrorCode("NET_WEIGHT_EXCEEDS_GROSS", "parcel",
              "The items' net weights add up to more than the gross weight."),
    ErrorCode("RECIPIENT_COUNTRY_MISMATCH", "parcel",
              "The recipient's country is not the manifest's destination."),
    ErrorCode("PERSONAL_ID_REQUIRED", "parcel",
              "The destination requires the recipient's personal identifier."),
    ErrorCode("PRODUCT_URL_REQUIRED", "parcel",
              "The destination requires a product URL for every item."),
    ErrorCode("IOSS_REQUIRED", "parcel",
              "A low-value parcel to the EU needs the seller's IOSS number."),
    # A correction (POST /v1/parcels/{tracking_number}/corrections)
    ErrorCode("CORRECTION_WRONG_ROOT", "correction",
              "The root element is not Parcel in urn:customs:manifest:1."),
    ErrorCode("CORRECTION_INVALID", "correction",
              "The corrected parcel breaks the schema or a rule; nothing was changed."),
    ErrorCode("CORRECTION_TRACKING_MISMATCH", "parcel",
              "The corrected parcel's tracking number is not the one corrected."),
    ErrorCode("CORRECTION_UNCHANGED", "correction",
              "The corrected parcel is the same as its current version."),
    # The China cross-border regime (cn-ceb): limits per buyer
    ErrorCode("BUYER_TRANSACTION_LIMIT", "parcel",
              "The parcel is worth more than the regime allows per transaction."),
    ErrorCode("BUYER_ANNUAL_LIMIT", "parcel",
              "With this parcel the buyer's purchases this year exceed the regime's limit."),
)

CATALOGUE: dict[str, ErrorCode] = {c.code: c for c in _CODES}


def title(code: str) -> str:
    return CATALOGUE[code].title


class DomainError(Exception):
    """Base of the errors that the delivery layers turn into precise replies."""


class ManifestRefused(DomainError):
    """The manifest as a whole is refused: nothing of it is stored."""

    title = "Manifest refused"

    def __init__(self, code: str, detail: str, violations: list | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.violations = violations or []


class CorrectionRefused(ManifestRefused):
    """A correction is refused as a whole (with its violations): nothing of it is stored."""

    title = "Correction refused"


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with a different body."""


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it (never say which)."""


class BadQuery(DomainError):
    """A query parameter is out of range or not understood."""


class ReferenceDataError(DomainError):
    """A reference file (nomenclature, destination rules) cannot be used."""


class ConfigurationError(DomainError):
    """The settings ask for something that cannot be set up (e.g. a profile without its
    album)."""


class SettingsInvalid(ConfigurationError):
    """CUSTOMS_* variables that cannot be used: one line each, naming the variable and the
    form it accepts."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class AuthorityMessageError(DomainError):
    """A message from the authority cannot be accepted (signature, schema, configuration)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class CodedError(DomainError):
    """A refusal with a stable code (docs/errors.md); `status` is its HTTP status."""

    status = 400

    def __init__(self, code: str, detail: str, **extra: object) -> None:
        """`extra`: members of the problem details beyond the code and detail (JSON values)."""
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


class Invalid(CodedError):
    """The request is understood but its content is not acceptable."""

    status = 400


class Unprocessable(CodedError):
    """Well-formed, but breaks a rule (an officer decision without its reason or amount)."""

    status = 422


class Conflict(CodedError):
    """The object's state does not allow this now (lifecycle), or it changed meanwhile."""

    status = 409


class PreconditionFailed(CodedError):
    """The caller's If-Match names a version of the object that is no longer current."""

    status = 412


class Gone(CodedError):
    """The thing referred to existed but is no longer served (an expired cursor)."""

    status = 410


class SecretsUnavailable(CodedError):
    """Webhook secrets cannot be sealed or opened: no key configured, or not the right one."""

    status = 503
class DatabaseNotMigrated(CodedError):
    """The database's schema is older than this release (never upgraded, or behind)."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__("DATABASE_NOT_MIGRATED", detail)
