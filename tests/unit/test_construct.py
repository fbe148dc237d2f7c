"""Frozen domain objects made by `builder` are the objects their class makes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from customs.domain.construct import builder
from customs.domain.model import Address, Item, Parcel, PersonalId, Recipient, Seller, Violation
from customs.domain.money import Money

ADDRESS = ("Hauptstr. 1", "Berlin", "10115", "DE")
ITEM = ("Mug", "6912002300", "CN", Decimal(2), "PCE", Decimal("0.8"), Money(Decimal(30), "EUR"))


@pytest.mark.parametrize(("cls", "args"), [
    (Address, ADDRESS), (Seller, ("S", "CN", "https://s.example")),
    (PersonalId, ("passport", "C01")), (Money, (Decimal("1.5"), "EUR")),
    (Recipient, ("Erika", Address(*ADDRESS), "+49 1", None, PersonalId("passport", "C01"))),
    (Item, ITEM), (Item, (*ITEM, "https://s.example/mug", "MUG-1")),
    (Parcel, ("RR1", "DHL", Seller("S", "CN", "u"), Recipient("E", Address(*ADDRESS)),
              Decimal(1), Money(Decimal(30), "EUR"), (Item(*ITEM),), None, "IM1")),
])
def test_a_built_object_is_equal_hashed_and_frozen_as_its_class_makes_it(cls, args) -> None:
    made, built = cls(*args), builder(cls)(*args)
    assert type(built) is cls
    assert built == made and hash(built) == hash(made) and repr(built) == repr(made)
    name = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, name, "changed")
    assert getattr(built, name) == args[0]


def test_defaults_and_keywords_are_those_of_the_class() -> None:
    assert builder(Seller)("S", "CN", "u", address="A") == Seller("S", "CN", "u", "A")
    assert builder(Seller)("S", "CN", "u").address is None


def test_classes_it_would_get_wrong_are_refused() -> None:
    @dataclass(slots=True)
    class Unfrozen:
        a: int

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class Factory:
        a: list = field(default_factory=list)

    for cls in (Unfrozen, NoSlots, Factory, Violation):  # Violation has a __post_init__
        with pytest.raises(TypeError):
            builder(cls)
