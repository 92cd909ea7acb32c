"""``tfhub.records.Record``: what a ``typing.NamedTuple`` gives, without importing typing (#17)."""

from __future__ import annotations

import pickle

import pytest

from tfhub.records import Record


class Point(Record):
    """A point, for these tests."""

    x: int
    y: int = 0
    label: str = "origin"

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    @classmethod
    def unit(cls) -> "Point":
        return cls(1, 1, "unit")

    def shifted(self, by: int) -> "Point":
        return self._replace(x=self.x + by)


def test_a_record_is_a_named_tuple_with_defaults_methods_and_docstring():
    p = Point(3)
    assert p == (3, 0, "origin") and isinstance(p, tuple)
    assert Point._fields == ("x", "y", "label")
    assert Point(1, y=2) == Point(x=1, y=2, label="origin")
    assert p.norm1 == 3 and Point.unit() == (1, 1, "unit") and p.shifted(2).x == 5
    assert Point.__doc__ == "A point, for these tests." and Point.__qualname__ == "Point"
    assert p._asdict() == {"x": 3, "y": 0, "label": "origin"}
    assert repr(p) == "Point(x=3, y=0, label='origin')"
    with pytest.raises(AttributeError):
        p.x = 4  # immutable, and no __dict__
    assert pickle.loads(pickle.dumps(p)) == p


def test_a_field_without_a_default_after_one_with_a_default_is_refused():
    with pytest.raises(TypeError, match="'b' without a default follows one with a default"):
        class Bad(Record):
            a: int = 0
            b: int
