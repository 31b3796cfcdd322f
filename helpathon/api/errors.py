"""What every router's writes share: how they authenticate, the documented error responses, and
how a service's PermissionDenied and ValidationError become 403 and 422 in the one shape.

Errors have one shape per status: `{"detail": "..."}` for 400, 401, 403, 404, 409 and 429;
`{"detail": [{"type", "loc", "msg"}, ...]}` for every 422, whether ninja rejected the input's
form or a service its content.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from ninja.errors import HttpError
from ninja.errors import ValidationError as InputError

from helpathon.api.schemas import ErrorOut, ValidationErrorOut

# Where ninja locates a field of the JSON body (the endpoints' parameter is called `payload`).
BODY = ("body", "payload")

WRITE_AUTH = """

**Authentication:** the Django session of a signed-in person (the `sessionid` cookie), as
in the browser. Because a cookie authenticates, the request must also carry Django's CSRF
token: the value of the `csrftoken` cookie in an `X-CSRFToken` header. A missing or wrong token
is refused with 403 `{"detail": "CSRF check Failed"}` before the session is looked at; no
session gives 401 `{"detail": "Unauthorized"}`.

**Errors:** 400 (a body that is not JSON), 401, 403, 404 and 429 answer
`{"detail": "<message>"}`. Every 422 answers
`{"detail": [{"type": ..., "loc": [...], "msg": ...}]}`: for malformed input as ninja
reports it, and for content the services reject, with `loc` ending in the field's name
(`["body", "payload"]` when the error concerns the whole)."""

WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def invalid(loc: tuple, message: str) -> InputError:
    return InputError([{"type": "value_error", "loc": list(loc), "msg": message}])


def _input_errors(error: ValidationError, loc: tuple) -> list[dict]:
    if not hasattr(error, "error_dict"):
        return [{"type": "value_error", "loc": list(loc), "msg": message} for message in error.messages]
    return [
        {"type": "value_error", "loc": list(loc if field == NON_FIELD_ERRORS else (*loc, field)), "msg": message}
        for field, messages in error.message_dict.items()
        for message in messages
    ]


@contextmanager
def service_errors(forbidden: str, *, loc: tuple = BODY) -> Iterator[None]:
    """A service's PermissionDenied as 403 with `forbidden`, its ValidationError as 422 with
    `loc` ending in the field's name (`loc` itself for an error about the whole)."""
    try:
        yield
    except PermissionDenied:
        raise HttpError(403, forbidden) from None
    except ValidationError as error:
        raise InputError(_input_errors(error, loc)) from None
