"""Request body parsers: DRF's, refusing what would otherwise end in a 500.

- JSON nested deeper than `MAX_DEPTH` (no API input comes close) is a 400 ParseError, and so is
  nesting so deep that the decoder itself gives up with a RecursionError.
- A NUL character anywhere in a body (a key or a value, at any depth; a form field or a file
  name) is a 400 naming the field, in the API's error format. PostgreSQL refuses NUL in every
  text and jsonb column, so without this a field that does not check for it itself (a JSON
  field, a slug lookup, a choice) fails in the database. Other control characters are stored
  fine and are the fields' business (some clean them, see `matchmaking.text.clean`).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

MAX_DEPTH = 32
NUL = "\x00"
NUL_MESSAGE = _("Null characters are not allowed.")


def _field_name(path: tuple) -> str:
    return ".".join(str(part) for part in path) or "non_field_errors"


def check_json_data(data) -> None:
    """Raises for nesting deeper than MAX_DEPTH and for NUL characters in keys or values.

    Iterative, so that the check itself cannot run out of stack.
    """
    stack: list[tuple[object, tuple, int]] = [(data, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                raise exceptions.ValidationError({_field_name(path): [NUL_MESSAGE]})
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise exceptions.ParseError(
                _("JSON parse error - nested more than %(depth)s levels deep.")
                % {"depth": MAX_DEPTH}
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    raise exceptions.ValidationError({_field_name((*path, key)): [NUL_MESSAGE]})
                stack.append((item, (*path, key), depth + 1))
        else:
            stack.extend((item, (*path, index), depth + 1) for index, item in enumerate(value))


def check_form_data(data, files=None) -> None:
    """Raises for NUL characters in form field names, values and uploaded file names."""
    for key, values in data.lists():
        if NUL in key or any(NUL in value for value in values):
            raise exceptions.ValidationError({_field_name((key,)): [NUL_MESSAGE]})
    for key, uploads in files.lists() if files is not None else []:
        if NUL in key or any(NUL in (upload.name or "") for upload in uploads):
            raise exceptions.ValidationError({_field_name((key,)): [NUL_MESSAGE]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(
                _("JSON parse error - nested more than %(depth)s levels deep.")
                % {"depth": MAX_DEPTH}
            ) from exc
        check_json_data(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_form_data(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        check_form_data(parsed.data, parsed.files)
        return parsed
