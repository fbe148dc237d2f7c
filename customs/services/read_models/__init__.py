"""What the read use cases return: one frozen read model per view, serialised at the edge.

Each `to_json()` is written out by hand, in the order the API has always answered with: the
JSON encoder keeps insertion order (tests and clients compare replies exactly), and a generic
`asdict` would turn datetimes into HTTP dates. Values that are already text in the database
(amounts, instants) stay text here: the read side only shows them.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]  # a JSON document kept as stored (parcel data, estimate, check)
