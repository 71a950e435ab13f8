"""One error shape for the whole API: ``{"detail": "...", "errors": {"<name>": ["..."]}}``.

``errors`` is present when the fault lies in named parameters or fields: query
parameters for reads, body fields for writes (nested for the date object).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class InvalidQuery(exceptions.APIException):
    """Query parameters the endpoint does not know, or values it cannot read."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_query"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = {key: [str(message) for message in messages] for key, messages in sorted(errors.items())}
        names = ", ".join(self.errors)
        super().__init__(f"Invalid query parameter(s): {names}.")


class ExportTooLarge(exceptions.APIException):
    """An export whose filters match more records than one export holds (``settings.API_MAX_EXPORT``)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "export_too_large"

    def __init__(self, *, matched: int, limit: int, noun: str, list_url: str, dated: bool):
        narrow = "Narrow the filters (for example after and before)" if dated else "Narrow the filters"
        super().__init__(
            f"The filters match {matched:,} {noun}; one export holds at most {limit:,}. {narrow}, or read "
            f"the paginated list, {list_url}, page by page."
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Other records depend on this one."


def exception_handler(exc, context):
    if isinstance(exc, ProtectedError | RestrictedError):
        names = sorted({str(obj._meta.verbose_name_plural) for obj in exc.args[1]})
        exc = Conflict(f"Other records depend on this one ({', '.join(names)}); remove or change them first.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, InvalidQuery):
        response.data = {"detail": str(exc.detail), "errors": exc.errors}
    elif isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": "The request body is not valid; see errors.", "errors": errors}
    return response
