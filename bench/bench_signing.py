"""Benchmark: declare + sign against the bare limit and against signxml, on one core.

    python bench/bench_signing.py [--seconds 3] [--output FILE]

limit  = exclusive C14N of the declaration + SHA-256 + the raw signature over a SignedInfo-
         sized blob (nothing of ours around it);
ours   = signing.sign_enveloped on a parsed declaration (digest, SignedInfo, signature, KeyInfo);
stage  = the whole declare step per parcel: render + XSD-validate + sign + serialize;
signxml = signxml.XMLSigner, enveloped, exc-C14N, SHA-256, same key.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa  # noqa: E402
from lxml import etree  # noqa: E402
from signxml import XMLSigner  # noqa: E402
from signxml.algorithms import (  # noqa: E402
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureMethod,
)

import signing  # noqa: E402
from customs.adapters.declarations import DeclarationPipeline  # noqa: E402
from customs.adapters.manifest_xml import XmlManifestReader  # noqa: E402
from customs.adapters.profiles.generic import GenericProfile  # noqa: E402
from customs.adapters.samples import generate_manifest  # noqa: E402
from customs.adapters.xml_signing import EnvelopedSigner  # noqa: E402


def rate(fn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    stream = XmlManifestReader().open(generate_manifest(1, 3, destination="RU").xml)
    parcel = next(iter(stream.parcels())).parcel
    header = stream.header
    profile = GenericProfile()
    now = datetime.now(UTC)
    template = profile.render(parcel, header, "bench-1", now)
    results: dict[str, object] = {"document_bytes": len(etree.tostring(template))}
    folder = Path(tempfile.mkdtemp())
    for algorithm in ("ecdsa-p256", "rsa-2048"):
        key_path, cert_path = signing.generate_dev_key(algorithm, folder / algorithm)
        signer = signing.load_software_signer(key_path, cert_path)
        key = signer._key  # the same key for the limit and for signxml
        blob = b"x" * 600  # the canonical SignedInfo is ~600 bytes

        def limit() -> None:
            hashlib.sha256(etree.tostring(template, method="c14n", exclusive=True)).digest()
            if isinstance(key, ec.EllipticCurvePrivateKey):
                key.sign(blob, ec.ECDSA(hashes.SHA256()))
            else:
                assert isinstance(key, rsa.RSAPrivateKey)
                key.sign(blob, padding.PKCS1v15(), hashes.SHA256())

        tree = copy.deepcopy(template)

        def ours() -> None:  # sign, then take the signature off again (~1 us)
            signing.sign_enveloped(tree, signer, reference_uri="#D-bench-1", at=now)
            tree.remove(tree[-1])

        pipeline = DeclarationPipeline(profile, EnvelopedSigner(signing.KeyRing(signer)))

        def stage() -> None:
            pipeline.declare(parcel, header, "bench-1", now)

        method = SignatureMethod.ECDSA_SHA256 if algorithm.startswith("ecdsa") \
            else SignatureMethod.RSA_SHA256
        sx = XMLSigner(signature_algorithm=method, digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
        cert_pem = cert_path.read_text()

        def alternative() -> None:
            sx.sign(copy.deepcopy(template), key=key, cert=cert_pem)

        row = {name: rate(fn, args.seconds) for name, fn in
               (("limit", limit), ("ours_sign", ours), ("declare_stage", stage),
                ("signxml", alternative))}
        row["ratio_sign_to_limit"] = row["ours_sign"] / row["limit"]
        row["ratio_stage_to_limit"] = row["declare_stage"] / row["limit"]
        row["ratio_sign_to_signxml"] = row["ours_sign"] / row["signxml"]
        results[algorithm] = row
        print(f"\n{algorithm} (declaration {results['document_bytes']} bytes)")
        for name, value in row.items():
            print(f"  {name:<24} {value:>10.2f}")
    if args.output:
        args.output.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
