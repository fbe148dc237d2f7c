"""The batch envelope: signed declarations of one office in one signed message."""

from __future__ import annotations

import hashlib
from datetime import datetime

from lxml import etree

from customs.adapters.documents.signer import EnvelopedSigner
from customs.services.ports import SignedDocument
from schemas import batch_xsd_path, compiled

NS = "urn:customs:batch:1"
_Q = f"{{{NS}}}"


def _schema() -> etree.XMLSchema:
    return compiled(batch_xsd_path())


class BatchEnvelopeBuilder:
    """The BatchBuilder port: embeds the stored (signed) declarations byte for byte in meaning:
    exclusive C14N makes each embedded declaration's signature verify inside the batch too."""

    def __init__(self, signer: EnvelopedSigner, sender: str) -> None:
        self.signer = signer
        self.sender = sender

    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> SignedDocument:
        root = etree.Element(_Q + "Batch", {"Id": f"B-{message_id}"}, nsmap={None: NS})
        for name, text in (("MessageId", message_id), ("Sender", self.sender),
                           ("ReceiverOffice", office), ("Profile", profile),
                           ("CreatedAt", at.isoformat()), ("Count", str(len(declarations)))):
            etree.SubElement(root, _Q + name).text = text
        container = etree.SubElement(root, _Q + "Declarations")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        for document in declarations:
            container.append(etree.fromstring(document, parser))
        schema = _schema()
        if not schema.validate(root):
            raise ValueError(f"batch envelope invalid: {schema.error_log.last_error}")
        # The batch's signature first: stock verifiers check the first ds:Signature in
        # document order, and the declarations' own come after it.
        body = self.signer.sign_element(root, at, first=True)
        return SignedDocument(body, hashlib.sha256(body).hexdigest(), self.signer.fingerprint,
                              self.signer.algorithm)
