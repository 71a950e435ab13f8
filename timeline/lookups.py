"""Integer lookups that answer for a number beyond the column's range, on every database.

Django 5.2 does this for an integer field's ``exact`` and comparisons, but not for ``in``, nor
for a foreign key's ``exact``, ``in`` and comparisons. There SQLite cannot even bind such a
number (``OverflowError``, a 500: ``/admin/timeline/event/?place=<20 digits>``, a forged key in
an admin form), where PostgreSQL compares it. These lookups answer as PostgreSQL does:
``in`` drops the numbers that cannot be in the column, ``exact`` with one matches nothing, and a
comparison matches nothing or every row with a value, by which side of the range the number is. They
replace Django's own in :meth:`timeline.apps.TimelineConfig.ready`.
"""

from __future__ import annotations

import copy

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In


def column_range(connection, field) -> tuple[int | None, int | None]:
    """The range of the integer column ``field`` reads (a foreign key's is its target's); (None, None) if not one."""
    try:
        field = getattr(field, "target_field", field)
        return connection.ops.integer_field_range(field.get_internal_type())
    except (KeyError, FieldError):  # not an integer; a relation on several columns
        return None, None


def fits(value, low: int | None, high: int | None) -> bool:
    return not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))


class InRangeIn:
    def all_fit(self, low: int | None, high: int | None) -> bool:
        """The usual case, at C speed: a list of integers within the range (or no range to keep)."""
        if low is None and high is None:
            return True
        try:
            return (low is None or min(self.rhs) >= low) and (high is None or max(self.rhs) <= high)
        except (TypeError, ValueError):  # other types among them (checked one by one), or an empty list
            return False

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = column_range(connection, self.lhs.output_field)
            kept = self.rhs if self.all_fit(low, high) else [value for value in self.rhs if fits(value, low, high)]
            if len(kept) < len(self.rhs):
                # On a copy: the lookup itself is shared by the queryset's clones, and may be compiled again.
                # In's own check then finds an empty list (EmptyResultSet): no row.
                lookup = copy.copy(self)
                lookup.rhs = kept
                return super(InRangeIn, lookup).process_rhs(compiler, connection)
        return super().process_rhs(compiler, connection)


class InRangeComparison:
    """A number beyond the range: the comparison matches no row, or every row with a value (a row
    without one matches no comparison in SQL either)."""

    below: str = "none"  # what a number below the range matches: "none" or "all"
    above: str = "none"

    def as_sql(self, compiler, connection):
        if self.rhs_is_direct_value() and isinstance(self.rhs, int):
            low, high = column_range(connection, self.lhs.output_field)
            verdict = self.below if low is not None and self.rhs < low else None
            verdict = self.above if high is not None and self.rhs > high else verdict
            if verdict == "none":
                raise EmptyResultSet
            if verdict == "all":
                lhs_sql, params = self.process_lhs(compiler, connection)
                return f"{lhs_sql} IS NOT NULL", params
        return super().as_sql(compiler, connection)


class IntegerIn(InRangeIn, In):
    pass


class RelatedInRangeIn(InRangeIn, RelatedIn):
    pass


class RelatedInRangeExact(InRangeComparison, RelatedExact):
    pass


class RelatedInRangeGreaterThan(InRangeComparison, RelatedGreaterThan):
    below = "all"


class RelatedInRangeGreaterThanOrEqual(InRangeComparison, RelatedGreaterThanOrEqual):
    below = "all"


class RelatedInRangeLessThan(InRangeComparison, RelatedLessThan):
    above = "all"


class RelatedInRangeLessThanOrEqual(InRangeComparison, RelatedLessThanOrEqual):
    above = "all"


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
    for lookup in (
        RelatedInRangeIn,
        RelatedInRangeExact,
        RelatedInRangeGreaterThan,
        RelatedInRangeGreaterThanOrEqual,
        RelatedInRangeLessThan,
        RelatedInRangeLessThanOrEqual,
    ):
        ForeignObject.register_lookup(lookup)
