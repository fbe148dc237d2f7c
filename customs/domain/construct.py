"""Frozen dataclasses built in bulk at the cost of unfrozen ones.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__` (its own
`__setattr__` refuses), about four times the cost of a plain slots class; a manifest reader
builds ten such objects a parcel. `builder(cls)` returns an unfrozen twin of `cls` (a slots
dataclass with the same fields, in the same order, with the same defaults) whose `__init__` ends
by giving the new instance `cls` as its class: CPython allows `__class__` assignment between
classes with the same slots. Calling the builder returns an ordinary `cls` instance, equal to,
hashed like and as frozen as `cls(...)` with the same arguments.

Only for frozen slots dataclasses without `__post_init__` (it would not run) and without default
factories: `builder` refuses any other class.
"""

from __future__ import annotations

from dataclasses import MISSING, field, fields, is_dataclass, make_dataclass
from typing import Any


def builder(cls: type) -> Any:
    """A callable taking `cls`'s fields (by position or keyword) and returning a `cls`."""
    if not (is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            and "__slots__" in cls.__dict__ and not hasattr(cls, "__post_init__")):
        raise TypeError(f"{cls.__name__} is not a frozen slots dataclass without __post_init__")
    spec: list[tuple[str, Any, Any]] = []
    for f in fields(cls):
        if f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} has a default factory")
        spec.append((f.name, f.type, field(default=f.default)))

    def become(self: Any) -> None:
        self.__class__ = cls

    return make_dataclass(f"{cls.__name__}Builder", spec, slots=True, eq=False, repr=False,
                          namespace={"__post_init__": become})
