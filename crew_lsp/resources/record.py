"""Plain record classes without `dataclasses` (whose import and per-class code generation cost
`crew-lsp check` about 15 ms of start-up).

A subclass lists its attributes in ``__slots__`` and writes its ``__init__``; this base adds what
``@dataclass`` used to: a field-wise ``__eq__`` (instances stay unhashable) and a ``__repr__``.
"""

from __future__ import annotations


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()  # in declaration order; defaults to the class's __slots__

    def __init_subclass__(cls) -> None:
        if "_fields" not in cls.__dict__:
            own = cls.__dict__.get("__slots__", ())
            cls._fields = tuple(f for f in ((own,) if isinstance(own, str) else own) if not f.startswith("_"))

    def _values(self) -> tuple:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self._fields)})"
