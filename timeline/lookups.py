"""Integer lookups that find no row for a number beyond the column's range, on every database.

Django 5.2 does this for ``exact`` and the comparisons on integer fields, but not for
``in``, nor for a foreign key's ``exact`` and ``in``. There SQLite cannot even bind such
a number (``OverflowError``, a 500: ``/admin/timeline/event/?place=<20 digits>``, a forged
selection for an admin action, a forged key in an admin form), where PostgreSQL compares
it and finds nothing. These lookups answer as PostgreSQL does: ``in`` drops the numbers
that cannot be in the column, and ``exact`` with one matches nothing. They replace
Django's own in :meth:`timeline.apps.TimelineConfig.ready`.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
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
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = column_range(connection, self.lhs.output_field)
            # In's own check then finds an empty list (EmptyResultSet): no row.
            self.rhs = [value for value in self.rhs if fits(value, low, high)]
        return super().process_rhs(compiler, connection)


class InRangeExact:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and not fits(self.rhs, *column_range(connection, self.lhs.output_field)):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class IntegerIn(InRangeIn, In):
    pass


class RelatedInRangeIn(InRangeIn, RelatedIn):
    pass


class RelatedInRangeExact(InRangeExact, RelatedExact):
    pass


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
    ForeignObject.register_lookup(RelatedInRangeIn)
    ForeignObject.register_lookup(RelatedInRangeExact)
