"""409 Conflict: a request that is well formed but clashes with what is stored.

Services raise Django's ValidationError for both kinds of refusal: a value that breaks a rule
(a German postcode of four digits: 400, naming the field) and a request the current state does
not allow (an invitation already answered, a token name already taken: 409). A view that knows
which of a service's refusals are of the second kind says so with `conflicts(...)`; the answer
is then 409 in the API's error format, with the service's message as `detail`.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The request conflicts with the current state of the object.")


@contextmanager
def conflicts(*fields: str) -> Iterator[None]:
    """Turns the service's ValidationErrors that name no field, or only `fields`, into 409."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict") and not set(error.error_dict) <= set(fields):
            raise
        raise Conflict(" ".join(error.messages)) from error
