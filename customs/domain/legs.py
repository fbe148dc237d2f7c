"""A parcel's legs: where it is cleared, and its overall state derived from its legs' states.

A parcel leaving a country whose exports we declare (China, with the cn-ceb profile) has two
legs: EXPORT at its origin, then IMPORT at its destination; any other parcel has the one
IMPORT leg. Which legs a parcel needs is dated data (`[[legs]]` in destination_rules.toml),
never a code branch. The legs run in order: the import leg starts (is declared, submitted)
only once the export leg is RELEASED, so a parcel cannot be released at its destination before
it is cleared for export. A refusal at either end is final: the parcel stops there.

The parcel's row holds the status of its current leg and the leg's name (NULL for a one-leg
parcel); `legs_of` and `overall` derive every leg's status and the parcel's state from that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from customs.domain.lifecycle import ParcelStatus

S = ParcelStatus


class LegKind(StrEnum):
    EXPORT = "export"
    IMPORT = "import"


WAITING = "WAITING"  # a leg that has not started (the import leg while export is on)

# A leg in one of these stops the parcel: it never reaches its destination's release.
STOPPING = frozenset({S.REJECTED, S.REFUSED, S.RETURNED, S.CANCELLED})


@dataclass(frozen=True, slots=True)
class Leg:
    kind: LegKind
    country: str  # the authority that clears this leg


@dataclass(frozen=True, slots=True)
class LegState:
    leg: Leg
    status: str  # a ParcelStatus value, or WAITING


@dataclass(frozen=True, slots=True)
class LegRule:
    """Parcels from `origins` to `destinations` (not to the origin itself) declared on a day
    within [valid_from, valid_to] are exported at their origin first."""

    id: str
    origins: frozenset[str]
    destinations: frozenset[str] | None  # None: every destination
    valid_from: date
    valid_to: date | None
    source: str = ""

    def applies(self, origin: str, destination: str, day: date) -> bool:
        if origin not in self.origins or origin == destination or day < self.valid_from:
            return False
        if self.destinations is not None and destination not in self.destinations:
            return False
        return self.valid_to is None or day <= self.valid_to


@dataclass(frozen=True, slots=True)
class LegRules:
    rules: tuple[LegRule, ...] = ()

    def legs_for(self, origin: str, destination: str, day: date) -> tuple[Leg, ...]:
        """The legs in order: (EXPORT at origin, IMPORT at destination) when a rule applies,
        else (IMPORT at destination,)."""
        arrive = Leg(LegKind.IMPORT, destination)
        if any(rule.applies(origin, destination, day) for rule in self.rules):
            return (Leg(LegKind.EXPORT, origin), arrive)
        return (arrive,)

    def first_leg(self, origin: str, destination: str, day: date) -> LegKind | None:
        """What a new parcel's row says: EXPORT when it has two legs, None for one."""
        legs = self.legs_for(origin, destination, day)
        return LegKind.EXPORT if len(legs) > 1 else None

    def only(self, origins: set[str]) -> LegRules:
        """The rules whose origin's export is declared by this service (the others cannot
        apply: nothing could declare the export)."""
        return LegRules(tuple(r for r in self.rules if r.origins & origins))


def legs_of(current: LegKind | None, status: ParcelStatus, origin: str,
            destination: str) -> tuple[LegState, ...]:
    """Each leg's status from the parcel's row: the current leg has the row's status; an
    export leg before the current import leg was RELEASED (that is what started the import);
    an import leg after the current export leg is WAITING."""
    arrive = Leg(LegKind.IMPORT, destination)
    if current is None:
        return (LegState(arrive, status.value),)
    leave = Leg(LegKind.EXPORT, origin)
    if current is LegKind.EXPORT:
        return (LegState(leave, status.value), LegState(arrive, WAITING))
    return (LegState(leave, S.RELEASED.value), LegState(arrive, status.value))


def overall(legs: tuple[LegState, ...]) -> str:
    """The parcel's state from its legs': a stopping status on any leg is the parcel's (a
    refusal at either end is final); else the first leg not RELEASED gives it (an export not
    yet cleared holds the parcel back); RELEASED only when every leg is."""
    for state in legs:
        if state.status in STOPPING:
            return state.status
    for state in legs:
        if state.status != S.RELEASED:
            return state.status
    return S.RELEASED.value


def decided_at_destination(current: LegKind | None) -> bool:
    """Whether the destination's officers may decide on the parcel now: not while it is on
    its export leg (the origin's authority decides that leg; releasing it here would release
    it at its destination before it is cleared for export)."""
    return current is not LegKind.EXPORT


def may_release(legs: tuple[LegState, ...], kind: LegKind) -> bool:
    """Whether the `kind` leg may be released: every leg before it is RELEASED."""
    for state in legs:
        if state.leg.kind is kind:
            return True
        if state.status != S.RELEASED:
            return False
    return False
