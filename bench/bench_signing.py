"""Benchmark: signatures per second on one core, ours against the bare limit and signxml.

    python bench/bench_signing.py [--seconds 1] [--rounds 5]

For ECDSA P-256, RSA-2048 and GOST R 34.10-2012 (256 and 512 bits, through the OpenSSL GOST
engine), on a ~1.5 KB declaration-like document:
  limit        exclusive C14N of the document + SHA-256 (Streebog for GOST) + the raw signature
               of a SignedInfo-sized blob with the same key (nothing of ours around it);
  ours_tree    signing.sign_enveloped on an already parsed tree (a new Id each time, as in
               production, where every declaration has its own); ratio = ours_tree / limit;
  limit_bytes  the limit with parsing before and serializing after;
  ours_bytes   signing.sign_bytes_document: parse + sign + serialize; ratio to limit_bytes;
  signxml      signxml.XMLSigner, enveloped, exclusive C14N, SHA-256: parse + sign + serialize
               (signxml has no GOST: "-").
Each figure is the best of --rounds runs of --seconds each.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureMethod,
)

import signing
from signing import gost

ITEM = ('<Item line="{n}"><HsCode>6109100000</HsCode><Description>Футболка хлопковая, '
        'cotton T-shirt</Description><Quantity unit="PCE">2</Quantity><Value currency="EUR">'
        '{n}4.90</Value><OriginCountry>CN</OriginCountry></Item>')
DECLARATION = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Declaration xmlns="urn:customs:declaration:generic:1" Id="D-1" profile="generic-1">'
    '<Header><DeclarationId>1</DeclarationId><IssuedAt>2026-11-23T10:00:00+00:00</IssuedAt>'
    '<Office>10005020</Office><Carrier>RR</Carrier></Header><Parcel>'
    '<TrackingNumber>RR123456785CN</TrackingNumber><Consignor><Name>Shenzhen Trading Co.'
    '</Name><Country>CN</Country></Consignor><Consignee><Name>Иван Петров</Name>'
    '<Address>ул. Ленина, д. 1, кв. 2, Москва</Address><Country>RU</Country>'
    '<PersonalId>4510123456</PersonalId></Consignee><Items>'
    + "".join(ITEM.format(n=n) for n in range(1, 5)) +
    '</Items><InvoiceAmount currency="EUR">44.70</InvoiceAmount><GrossWeightKg>0.750'
    '</GrossWeightKg></Parcel></Declaration>').encode()


def rate(fn: Callable[[], object], seconds: float, rounds: int) -> float:
    best = 0.0
    for _ in range(rounds):
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            fn()
            count += 1
        best = max(best, count / elapsed)
    return best


def limits(key: Any, tree: etree._Element) -> dict[str, Callable[[], object]]:
    blob = b"x" * 620  # about the size of our canonical SignedInfo
    gost_bits = key.bits if isinstance(key, gost.GostPrivateKey) else 0

    def digest(data: bytes) -> bytes:
        return gost.streebog(gost_bits, data) if gost_bits else hashlib.sha256(data).digest()

    def raw_sign() -> None:
        if gost_bits:
            key.sign(blob)  # Streebog of the blob, then the signature, as the others
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            key.sign(blob, ec.ECDSA(hashes.SHA256()))
        else:
            assert isinstance(key, rsa.RSAPrivateKey)
            key.sign(blob, padding.PKCS1v15(), hashes.SHA256())

    def limit() -> None:
        digest(etree.tostring(tree, method="c14n", exclusive=True))
        raw_sign()

    def limit_bytes() -> None:  # the same, with parsing and serializing around it
        parsed = etree.fromstring(DECLARATION)
        digest(etree.tostring(parsed, method="c14n", exclusive=True))
        raw_sign()
        etree.tostring(parsed, xml_declaration=True, encoding="UTF-8")

    return {"limit": limit, "limit_bytes": limit_bytes}


def contenders(signer: Any, cert_pem: str) -> dict[str, Callable[[], object]]:
    key = signer._key  # the same key for the limits and for signxml
    tree = etree.fromstring(DECLARATION)
    ids = itertools.count()

    def ours_tree() -> None:  # sign, then take the signature off again
        identifier = f"D-{next(ids)}"
        tree.set("Id", identifier)
        signing.sign_enveloped(tree, signer, reference_uri="#" + identifier)
        tree.remove(tree[-1])

    ours = {"ours_tree": ours_tree,
            "ours_bytes": lambda: signing.sign_bytes_document(DECLARATION, signer)}
    if isinstance(key, gost.GostPrivateKey):
        return {**limits(key, tree), **ours}
    method = SignatureMethod.ECDSA_SHA256 if isinstance(key, ec.EllipticCurvePrivateKey) \
        else SignatureMethod.RSA_SHA256
    xml_signer = XMLSigner(signature_algorithm=method, digest_algorithm=DigestAlgorithm.SHA256,
                           c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)

    def other() -> None:
        etree.tostring(xml_signer.sign(etree.fromstring(DECLARATION), key=key, cert=cert_pem))

    return {**limits(key, tree), **ours, "signxml": other}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    print(f"document: {len(DECLARATION)} bytes; one core; best of {args.rounds} x "
          f"{args.seconds:g} s")
    print(f"{'signatures/s':<13}{'limit':>8}{'ours_tree':>10}{'ratio':>7}{'limit_bytes':>13}"
          f"{'ours_bytes':>11}{'ratio':>7}{'signxml':>9}{'ours/signxml':>14}")
    for algorithm in signing.DEV_ALGORITHMS:
        key_path, cert_path = signing.generate_dev_key(algorithm, folder / algorithm)
        signer = signing.load_software_signer(key_path, cert_path)
        row = {name: rate(fn, args.seconds, args.rounds)
               for name, fn in contenders(signer, cert_path.read_text()).items()}
        print(f"{algorithm:<13}{row['limit']:>8,.0f}{row['ours_tree']:>10,.0f}"
              f"{row['ours_tree'] / row['limit']:>7.2f}{row['limit_bytes']:>13,.0f}"
              f"{row['ours_bytes']:>11,.0f}{row['ours_bytes'] / row['limit_bytes']:>7.2f}"
              + (f"{row['signxml']:>9,.0f}{row['ours_bytes'] / row['signxml']:>13.1f}x"
                 if "signxml" in row else f"{'-':>9}{'-':>14}"))


if __name__ == "__main__":
    main()
