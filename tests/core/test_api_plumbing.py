import pytest
from rest_framework import exceptions

from spinportal.api.errors import exception_handler


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Nicht gefunden."}


def test_validation_errors_name_every_field_including_nested_ones():
    exc = exceptions.ValidationError(
        {
            "name": ["This field is required."],
            "address": {"postcode": ["Invalid."]},
            "non_field_errors": ["Conflict."],
        }
    )
    response = exception_handler(exc, {})
    assert response.status_code == 400
    assert response.data["errors"] == {
        "name": ["This field is required."],
        "address.postcode": ["Invalid."],
        "non_field_errors": ["Conflict."],
    }
    assert response.data["code"] == "invalid"


def test_malformed_json_is_400_not_500(client, organisation, org_admin):
    # given an organisation admin who may change the organisation through the API
    client.force_login(org_admin)
    name_before = organisation.name
    url = f"/api/v1/organisations/{organisation.slug}/"

    # when the body is not JSON
    response = client.patch(url, data="{not json", content_type="application/json")

    # then the answer is a 400 in the one error format, and nothing changed
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "parse_error")
    organisation.refresh_from_db()
    assert organisation.name == name_before


@pytest.mark.django_db
def test_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
