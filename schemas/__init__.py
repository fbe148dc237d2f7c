"""XSD files (versioned folders) and the validators that load them once.

A leaf library: imports nothing of customs, api or signing.
"""

from schemas.manifest_schema import (
    MANIFEST_NS,
    ManifestSchema,
    SchemaError,
    authority_xsd_path,
    batch_xsd_path,
    compiled,
    declaration_xsd_path,
    element_path,
    manifest_xsd_path,
    ru_envelope_xsd_path,
)

__all__ = [
    "MANIFEST_NS",
    "ManifestSchema",
    "SchemaError",
    "authority_xsd_path",
    "batch_xsd_path",
    "compiled",
    "declaration_xsd_path",
    "element_path",
    "manifest_xsd_path",
    "ru_envelope_xsd_path",
]
