"""drf-spectacular post-processing: what every operation answers that no view declares, which
operations anonymous callers may use, the media types the API documents, and the OpenAPI links
from a create to the read and the update of what it created.

Each hook takes and returns the whole schema (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).
"""

import re
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from rest_framework.permissions import SAFE_METHODS

ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}
METHODS = ("get", "put", "patch", "post", "delete")
JSON = "application/json"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _error(description: str, example: dict, **extra) -> dict:
    return {
        "description": description,
        "content": {JSON: {"schema": ERROR_SCHEMA, "example": example}},
        **extra,
    }


QUERY_PARAMETER_ERROR = _error(
    "A query parameter is invalid, e.g. it contains control characters "
    "(spinportal.middleware.ControlCharacterMiddleware); `errors` names it.",
    {
        "status": 400,
        "code": "invalid",
        "detail": "The request contains invalid data.",
        "errors": {"search": ["Control characters are not allowed."]},
    },
)
BODY_ERROR = _error(
    "The body is not valid JSON or breaks a rule; `errors` names each field.",
    {
        "status": 400,
        "code": "invalid",
        "detail": "The request contains invalid data.",
        "errors": {"title": ["This field is required."]},
    },
)
UNAUTHENTICATED = _error(
    "The Bearer token is invalid, expired or revoked, or the operation needs one and none "
    "was sent.",
    {"status": 401, "code": "not_authenticated", "detail": "Invalid token."},
)
FORBIDDEN = _error(
    "Not allowed: a token with the scope `read` cannot change data, a browser session of staff "
    "or an organisation admin needs a second factor, or the caller lacks the right.",
    {
        "status": 403,
        "code": "permission_denied",
        "detail": "This API token has the scope “read” and cannot change data.",
    },
)
NOT_FOUND = _error(
    "No such object, or one the caller may not see (the same answer for both); for a list, a "
    "page number beyond the last page.",
    {"status": 404, "code": "not_found", "detail": "Not found."},
)
UNSUPPORTED_MEDIA_TYPE = _error(
    "The body's Content-Type is not one the operation accepts.",
    {
        "status": 415,
        "code": "unsupported_media_type",
        "detail": "Unsupported media type “text/plain” in request.",
    },
)
THROTTLED = _error(
    "Too many requests for this token, user or address; `Retry-After` says when to try again.",
    {
        "status": 429,
        "code": "throttled",
        "detail": "Request was throttled. Expected available in 42 seconds.",
    },
    headers={
        "Retry-After": {
            "description": "Seconds until the next request is accepted.",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
)
ERROR_EXAMPLE = {"status": 404, "code": "not_found", "detail": "Not found."}
CONFLICT_EXAMPLE = {
    "status": 409,
    "code": "conflict",
    "detail": "The request conflicts with the current state of the object.",
}

# Control characters, which spinportal.middleware.ControlCharacterMiddleware refuses in a query
# parameter (category Cc: U+0000-U+001F and U+007F-U+009F).
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def _operations(result):
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                yield path, method, operation


def document_query_parameter_errors(result, generator, request, public):
    """The 400 of the query-parameter checks on every operation with query parameters, whose
    string parameters say that control characters are refused."""
    for _path, _method, operation in _operations(result):
        parameters = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        if not parameters:
            continue
        operation["responses"].setdefault("400", QUERY_PARAMETER_ERROR)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & set(schema)):
                schema["pattern"] = NO_CONTROL_CHARACTERS
    return result


def document_common_errors(result, generator, request, public):
    """The answers that come from the plumbing around every view, in the one error format:

    - 401 for a Bearer token that is invalid, expired or revoked (even where none is needed),
    - 403 for a read token that writes and for a session that still needs its second factor,
    - 404 wherever a path names an object or a list has pages,
    - 400 and 415 for a body that is malformed or of another media type,
    - 429 from the throttles, everywhere.
    """
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", {})
    result["components"]["schemas"]["Error"].setdefault("example", ERROR_EXAMPLE)
    for path, _method, operation in _operations(result):
        responses = operation["responses"]
        responses.setdefault("401", UNAUTHENTICATED)
        responses.setdefault("403", FORBIDDEN)
        has_page = any(p.get("name") == "page" for p in operation.get("parameters", []))
        if "{" in path or has_page:
            responses.setdefault("404", NOT_FOUND)
        if "requestBody" in operation:
            responses.setdefault("400", BODY_ERROR)
            responses.setdefault("415", UNSUPPORTED_MEDIA_TYPE)
        responses.setdefault("429", THROTTLED)
        _add_error_examples(responses, body="requestBody" in operation)
    return result


def _add_error_examples(responses: dict, *, body: bool) -> None:
    """An example for every error answer a view declares with the Error schema alone."""
    examples = {
        "400": BODY_ERROR if body else QUERY_PARAMETER_ERROR,
        "401": UNAUTHENTICATED,
        "403": FORBIDDEN,
        "404": NOT_FOUND,
        "415": UNSUPPORTED_MEDIA_TYPE,
        "429": THROTTLED,
    }
    for status, response in responses.items():
        content = response.get("content", {}).get(JSON)
        if not content or content.get("schema") != ERROR_SCHEMA:
            continue
        if "example" in content or "examples" in content:
            continue
        if status in examples:
            content["example"] = examples[status]["content"][JSON]["example"]
        elif status == "409":
            content["example"] = CONFLICT_EXAMPLE


def document_json_request_bodies(result, generator, request, public):
    """JSON bodies only, except where an upload needs multipart/form-data.

    The views still parse forms, but the contract is JSON: a form cannot say null or tell a
    number from a string, so documenting both would promise two different APIs.
    """
    for _path, _method, operation in _operations(result):
        content = operation.get("requestBody", {}).get("content", {})
        if JSON in content:
            for media_type in FORMS:
                content.pop(media_type, None)
    return result


def _anonymous_may(view, method: str) -> bool:
    """Whether the view's permissions let an anonymous request of this method through.

    Asked of each permission with an anonymous request. One that needs more than the request
    (a nested view's `get_project()`) decides by the object, which for a read is the selector's
    visibility: it counts as open (those that require a login look at the user first).
    """
    anonymous = SimpleNamespace(user=AnonymousUser(), auth=None, method=method.upper())
    for permission in view.get_permissions():
        try:
            if not permission.has_permission(anonymous, view):
                return False
        except Exception:  # noqa: S112 - the permission needs a real request: see above
            continue
    return True


def document_public_operations(result, generator, request, public):
    """Reads anonymous callers may make list "no authentication" (`{}`) among their security
    requirements, so that clients and tools know a token is optional there. Writes stay as
    they are: none is open to anonymous callers, if only by the object's permission."""
    paths = result.get("paths", {})
    for path, _regex, method, callback in getattr(generator, "endpoints", []):
        if method.upper() not in SAFE_METHODS or not path.startswith("/api/v1/"):
            continue
        view = generator.create_view(callback, method)
        operation = paths.get(generator.coerce_path(path, method, view), {}).get(method.lower())
        if not isinstance(operation, dict):
            continue
        security = operation.setdefault("security", [])
        if _anonymous_may(view, method) and {} not in security:
            security.append({})
    return result


# Fields of a created object that fill a path parameter of the same name, and for parameters
# named otherwise the field to take, in order of preference ("lookup" accepts a slug).
LINK_FIELDS = {
    "lookup": ("slug", "public_id", "id"),
    "organisation_lookup": ("slug", "public_id"),
    "project_id": ("public_id", "id"),
}
LINK_SOURCES = {
    # a registered organisation is read and changed as an organisation
    "/api/v1/organisation-registrations/": "/api/v1/organisations/",
}


def _schema_properties(result, response: dict) -> set[str]:
    schema = response.get("content", {}).get(JSON, {}).get("schema", {})
    if "$ref" in schema:
        schema = result["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[1], {})
    return set(schema.get("properties", {}))


def _link_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", operation_id))


def document_links(result, generator, request, public):
    """OpenAPI links from every create (201) to the operations on what it created.

    POST /x/ answering 201 links to the operations of /x/{param}/ and of its actions
    (/x/{param}/<verb>/), the new parameter filled from the created object's body, the parameters
    the create's own path shares copied from the request. The stateful phase of Schemathesis
    follows them: create, then read, update, delete.
    """
    paths = result.get("paths", {})
    for source, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if not created:
            continue
        properties = _schema_properties(result, created)
        base = LINK_SOURCES.get(source, source)
        shared = re.findall(r"{([^}]+)}", source)
        links = {}
        for target, target_item in paths.items():
            match = re.fullmatch(re.escape(base) + r"{([^}]+)}/(?:[^/{}]+/)?", target)
            if not match:
                continue
            parameter = match.group(1)
            candidates = LINK_FIELDS.get(parameter, ())
            field = next(
                (f for f in (parameter, *candidates, "id") if f in properties),
                None,
            )
            if field is None:
                continue
            parameters = {name: f"$request.path.{name}" for name in shared}
            parameters[parameter] = f"$response.body#/{field}"
            for method, operation in target_item.items():
                if method not in METHODS or not isinstance(operation, dict):
                    continue
                links[_link_name(operation["operationId"])] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                    "description": f"The `{parameter}` of the created object (`{field}`).",
                }
        if links:
            created["links"] = links
    return result
