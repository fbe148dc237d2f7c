"""Hostile manifest shapes at a chosen size, for the limit tests, the property test and the probe.

Each maker takes `n` (how many declarations, attributes, elements...) and returns a whole
manifest; the body grows linearly with `n`, so cost per byte can be compared across shapes.
"""

from __future__ import annotations

import contextlib
import time
import tracemalloc
from collections.abc import Callable, Iterator

from customs.adapters.documents.samples import generate_manifest
from customs.domain.errors import ManifestRefused
from tests.manifests import NS, manifest, parcel

_FIRST = parcel()
_TAIL = "</Parcel>"


def _inside(first: str, extra: str) -> str:
    """The first parcel with `extra` placed just before its closing tag."""
    return first.replace(_TAIL, extra + _TAIL)


def valid(n: int) -> bytes:
    """A realistic manifest of `n` parcels (the sample generator, all valid): the yardstick."""
    return generate_manifest(n, seed=7).xml


def namespaces(n: int) -> bytes:
    """`n` namespace declarations on the root, above ten ordinary parcels."""
    decls = "".join(f' xmlns:p{i}="urn:x:{i}"' for i in range(n))
    ten = manifest(*(parcel(f"RR12345678{i}CN") for i in range(10)))
    return ten.replace(f'<Manifest xmlns="{NS}">'.encode(),
                       f'<Manifest xmlns="{NS}"{decls}>'.encode())


def namespaces_in_parcel(n: int) -> bytes:
    decls = "".join(f' xmlns:p{i}="urn:x:{i}"' for i in range(n))
    return manifest(_FIRST.replace("<Parcel>", f"<Parcel{decls}>"))


def attributes(n: int) -> bytes:
    """One parcel whose element carries `n` attributes (each an XSD violation)."""
    attrs = "".join(f' a{i}="x"' for i in range(n))
    return manifest(_FIRST.replace("<Parcel>", f"<Parcel{attrs}>"))


def attributes_spread(n: int) -> bytes:
    """One parcel with `n` extra elements of five attributes each."""
    return manifest(_inside(_FIRST, '<X a="1" b="2" c="3" d="4" e="5"/>' * n))


def elements(n: int) -> bytes:
    """One parcel with `n` extra sibling elements."""
    return manifest(_inside(_FIRST, "<X/>" * n))


def depth(n: int) -> bytes:
    """One parcel holding `n` nested elements (libxml2 stops at 256)."""
    return manifest(_inside(_FIRST, "<D>" * n + "</D>" * n))


def long_name(n: int) -> bytes:
    name = "N" * n
    return manifest(_inside(_FIRST, f"<{name}/>"))


def long_text(n: int) -> bytes:
    return manifest(_FIRST.replace("Phone case, silicone", "x" * n))


def long_cdata(n: int) -> bytes:
    """A text of `n` characters in CDATA, with a '<' every 1,000: no run without markup."""
    text = ("x" * 999 + "<") * (n // 1000)
    return manifest(_FIRST.replace("Phone case, silicone", f"<![CDATA[{text}]]>"))


def long_attribute(n: int) -> bytes:
    return manifest(_FIRST.replace('unit="PCE"', f'unit="{"P" * n}"'))


def mixed(n: int) -> bytes:
    """Text and elements interleaved inside a parcel."""
    return manifest(_inside(_FIRST, "t<M/>" * n))


def many_bad_parcels(n: int) -> bytes:
    """`n` parcels, each breaking the schema in several places."""
    bad = _inside(_FIRST, "<Y/><Z/><W/>").replace("<Courier>CDEK", "<Courier a='1'>CDEK")
    return manifest(*([bad] * n))


SHAPES: dict[str, Callable[[int], bytes]] = {
    "valid": valid,
    "namespaces": namespaces,
    "namespaces_in_parcel": namespaces_in_parcel,
    "attributes": attributes,
    "attributes_spread": attributes_spread,
    "elements": elements,
    "depth": depth,
    "long_name": long_name,
    "long_text": long_text,
    "long_attribute": long_attribute,
    "long_cdata": long_cdata,
    "mixed": mixed,
    "many_bad_parcels": many_bad_parcels,
}


CPU_FACTOR = 4      # measured at most 1.3 (docs/performance.md, "Hostile input")
MEMORY_FACTOR = 5   # Python memory, measured at most 3.0
CPU_FLOOR_S = 0.02  # fixed costs (schema look-ups, the first chunk) that do not grow
MEMORY_FLOOR = 2 * 1024 * 1024


def cost(customs, body: bytes,  # type: ignore[no-untyped-def]
         media_type: str = "application/xml") -> tuple[float, int]:
    """(CPU seconds, peak traced Python bytes) of judging the body, best of two runs."""
    best_cpu, best_peak = float("inf"), 0
    for _ in range(2):
        tracemalloc.start()
        started = time.process_time()
        with contextlib.suppress(ManifestRefused):
            customs.intake.validate_offline(body, media_type=media_type)
        best_cpu = min(best_cpu, time.process_time() - started)
        best_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return best_cpu, best_peak


def judge() -> Iterator[tuple[object, float, float]]:
    """A service without a database, and a valid manifest's CPU and memory per byte."""
    from customs.bootstrap import bootstrap
    from customs.settings import Settings

    customs = bootstrap(Settings(database_url="sqlite://"))
    yardstick = valid(800)  # about 1 MB
    cost(customs, yardstick)  # warm: schema compiled, rules loaded
    cpu, peak = cost(customs, yardstick)
    yield customs, cpu / len(yardstick), peak / len(yardstick)
    customs.close()


def within_budget(cpu: float, peak: int, size: int, cpu_per_byte: float,
                  memory_per_byte: float) -> bool:
    return (cpu <= CPU_FACTOR * cpu_per_byte * size + CPU_FLOOR_S
            and peak <= MEMORY_FACTOR * memory_per_byte * size + MEMORY_FLOOR)
