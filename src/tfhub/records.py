"""``Record``: a base for small typed records, as ``typing.NamedTuple`` but without ``typing``.

``import typing`` and a ``typing.NamedTuple`` class cost a fresh process more than
a whole warm resolve does, so the records on that path derive from ``Record``
instead. At run time a ``Record`` subclass is a ``collections.namedtuple`` built
from the class's annotations and defaults (methods, properties and the docstring
are kept); type checkers see ``typing.NamedTuple`` itself.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    import collections

    # Names every class body has; the rest of the namespace goes onto the record.
    _CLASS_BOOKKEEPING = frozenset({"__module__", "__qualname__", "__annotations__", "__doc__",
                                    "__dict__", "__weakref__", "__static_attributes__",
                                    "__firstlineno__"})

    class _RecordType(type):
        """Turns ``class X(Record): a: int; b: str = ""`` into ``namedtuple("X", "a b", defaults=("",))``."""

        def __new__(mcs, name, bases, namespace):
            if not bases:  # Record itself
                return super().__new__(mcs, name, bases, namespace)
            if "__annotations__" not in namespace:
                raise TypeError(f"Record {name} declares its fields as annotations "
                                "(and its module needs `from __future__ import annotations`).")
            fields = list(namespace["__annotations__"])
            defaults = []
            for field in fields:
                if field in namespace:
                    defaults.append(namespace[field])
                elif defaults:
                    raise TypeError(f"Record {name}: field {field!r} without a default follows one with a default.")
            record = collections.namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            record.__qualname__ = namespace["__qualname__"]
            record.__doc__ = namespace.get("__doc__")
            record.__annotations__ = namespace["__annotations__"]
            for attribute, value in namespace.items():
                if attribute not in _CLASS_BOOKKEEPING and attribute not in fields:
                    setattr(record, attribute, value)
            return record

    class Record(metaclass=_RecordType):
        """Derive from this, with annotated fields (see the module docstring)."""
