"""drf-spectacular post-processing: answers every operation gives that no view declares."""

QUERY_PARAMETER_ERROR = {
    "description": "A query parameter contains control characters "
    "(spinportal.middleware.ControlCharacterMiddleware); `errors` names it.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def document_query_parameter_errors(result, generator, request, public):
    """Adds the 400 of the control-character check to every operation with query parameters."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            if any(parameter.get("in") == "query" for parameter in parameters):
                operation["responses"].setdefault("400", QUERY_PARAMETER_ERROR)
    return result
