"""Bad input gets a 4xx, never a 500 (issue 13): control characters in query parameters and
paths, lookups that look like numbers, JSON nested too deeply, NUL characters in bodies.

Run on SQLite and PostgreSQL (DATABASE_URL): PostgreSQL refuses NUL in any text comparison,
which is where these used to end in a 500.
"""

import json
from urllib.parse import quote

import pytest
from django.utils import translation

from partners.models import Organisation
from projects.models import Project
from spinportal.api.parsers import MAX_DEPTH
from spinportal.models import AuditRecord
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

PAGE_LISTS = [
    "/organisations/",
    "/organisations/moderation/",
    "/people/",
    "/people/export.csv",
    "/projects/",
    "/projects/mine/",
    "/opportunities/",
    "/opportunities/for-you/",
    "/contact-requests/",
    "/notifications/",
]
API_LISTS = [
    "/api/v1/organisations/",
    "/api/v1/people/",
    "/api/v1/projects/",
    "/api/v1/projects/bad-input/news/",
    "/api/v1/projects/bad-input/documents/",
    "/api/v1/projects/bad-input/work-packages/",
    "/api/v1/projects/bad-input/milestones/",
    "/api/v1/competences/",
    "/api/v1/opportunities/",
    "/api/v1/contact-requests/",
    "/api/v1/notifications/",
    "/api/v1/webhooks/",
]
# (parameter, value): searches, page numbers, sorts and filters; one name itself odd
BAD_PARAMETERS = [
    ("q", "\x00"),
    ("search", "\x00"),
    ("search", "Wasser\x00stoff"),
    ("page", "\x00"),
    ("sort", "\x00"),
    ("kind", "\x01"),
    ("sector", "steel\x1b"),
    ("competence", "\x00"),
    ("city", "Dort\x7fmund"),
    ("status", "\x00"),
    ("programme", "\x00"),
    ("language", "\x85"),
    ("\x00", "x"),
]
ODD_LOOKUPS = ["\u00b99", "%00", "a%00b", "%01", "9%00", "\u0663"]  # "¹9", NUL, …, "٣"
MESSAGE = "Control characters are not allowed."


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture(autouse=True)
def _project():
    ProjectFactory(acronym="BAD-INPUT", visibility="public")


def test_the_settings_name_the_middleware_and_the_parsers(settings):
    assert "spinportal.middleware.ControlCharacterMiddleware" in settings.MIDDLEWARE
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] == [
        "spinportal.api.parsers.JSONParser",
        "spinportal.api.parsers.FormParser",
        "spinportal.api.parsers.MultiPartParser",
    ]


def _query(name: str, value: str) -> str:
    return f"?{quote(name)}={quote(value)}"


@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
@pytest.mark.parametrize("url", API_LISTS)
def test_api_refuses_control_characters_naming_the_parameter(client, staff, url, name, value):
    client.force_login(staff)
    with translation.override("en"):
        response = client.get(url + _query(name, value), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "detail": "The request contains invalid data.",
        "errors": {name: [MESSAGE]},
    }


@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
@pytest.mark.parametrize("url", PAGE_LISTS)
def test_pages_answer_control_characters_with_the_400_page(client, staff, url, name, value):
    client.force_login(staff)
    response = client.get(url + _query(name, value), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert [t.name for t in response.templates][:1] == ["400.html"]
    shown = name if name.isprintable() else "\ufffd"
    assert f"(in “{shown}”)" in response.content.decode()


@pytest.mark.parametrize("url", ["/organisations/", "/api/v1/projects/"])
def test_anonymous_visitors_get_the_same_answer(client, url):
    assert client.get(url + "?q=%00").status_code == 400


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/organisations/?q=Wasser%09stoff", 400),  # a tab is a control character too
        ("/api/v1/projects/?search=%C2%B99", 200),  # "¹9" is no control character
        ("/api/v1/organisations/?search=%E2%80%8B", 200),  # nor a zero-width space
        ("/api/v1/projects/?page=%C2%B99", 404),  # DRF: an invalid page
        ("/api/v1/projects/?page=99999999999999999999999", 404),
        ("/projects/?page=%C2%B99", 200),  # pages show the first page
        ("/organisations/?q=%FF%FE", 200),  # not UTF-8: replacement characters, no match
    ],
)
def test_other_odd_parameters_are_no_server_error(client, staff, url, status):
    client.force_login(staff)
    assert client.get(url).status_code == status


@pytest.mark.parametrize("lookup", ODD_LOOKUPS)
@pytest.mark.parametrize(
    "template",
    [
        "/api/v1/organisations/{}/",
        "/api/v1/projects/{}/",
        "/api/v1/projects/{}/news/",
        "/api/v1/projects/bad-input/documents/{}/",
        "/api/v1/people/{}/",
        "/organisations/{}/",
        "/projects/{}/",
        "/people/{}/",
    ],
)
def test_odd_path_lookups_are_not_found(client, staff, template, lookup):
    client.force_login(staff)
    response = client.get(template.format(lookup))
    assert response.status_code == 404
    if template.startswith("/api/"):
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("token", "status"), [("\u00b99", 400), ("%00", 404), ("a%01", 404)])
def test_odd_invitation_tokens(client, token, status):
    # the page explains an unusable link (400); a control character names nothing (404)
    assert client.get(f"/invitations/{token}/").status_code == status


def test_a_project_id_in_ascii_digits_still_works(client, staff):
    client.force_login(staff)
    project = Project.objects.get(slug="bad-input")
    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 200


@pytest.mark.parametrize("version", ["\u00b99", "\u0663", "-1", "1e3", "9999999999999"])
def test_document_version_numbers_in_other_digits_are_refused(client, staff, version):
    client.force_login(staff)
    response = client.get(
        f"/api/v1/projects/bad-input/documents/1/download/?version={quote(version)}"
    )
    assert response.status_code in {400, 404}  # 404: there is no document 1


# --- Bodies -----------------------------------------------------------------------------------


@pytest.fixture
def organisation_admin_client(client):
    membership = MembershipFactory(role="admin", organisation=OrganisationFactory(city="Dortmund"))
    client.force_login(membership.user)
    return client, membership.organisation


def _patch(client, organisation, body: str, content_type="application/json"):
    return client.patch(
        f"/api/v1/organisations/{organisation.slug}/",
        body,
        content_type=content_type,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _unchanged(organisation) -> bool:
    return (
        Organisation.objects.get(pk=organisation.pk).city == "Dortmund"
        and AuditRecord.objects.count() == 0
    )


@pytest.mark.parametrize("depth", [50_000, 1_000, MAX_DEPTH + 1])
def test_deeply_nested_json_is_a_parse_error(organisation_admin_client, depth):
    client, organisation = organisation_admin_client
    body = '{"city": "Hagen", "name": ' + "[" * depth + "]" * depth + "}"
    with translation.override("en"):
        response = _patch(client, organisation, body)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "parse_error",
        "detail": f"JSON parse error - nested more than {MAX_DEPTH} levels deep.",
    }
    assert _unchanged(organisation)


def test_deeply_nested_json_to_a_create_endpoint(client, staff):
    client.force_login(staff)
    body = '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = client.post("/api/v1/opportunities/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_nesting_within_the_limit_is_for_the_serializer_to_judge(organisation_admin_client):
    client, organisation = organisation_admin_client
    body = json.dumps({"competences": [[["electrolysis"]]]})
    response = _patch(client, organisation, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"city": "Ha\x00gen"}, "city"),
        ({"city": "Hagen", "competences": ["electro\x00lysis"]}, "competences.0"),
        ({"city": "Hagen", "sectors": ["\x00"]}, "sectors.0"),
        ({"city": "Hagen", "parent": "\x00"}, "parent"),
        ({"city": "Hagen", "kind": "sme\x00"}, "kind"),
        ({"city": "Hagen", "ci\x00ty": "Essen"}, "ci\x00ty"),
        ({"city": "Hagen", "links": {"web": ["\x00"]}}, "links.web.0"),
    ],
)
def test_nul_anywhere_in_a_json_body_is_refused_naming_the_field(
    organisation_admin_client, body, field
):
    client, organisation = organisation_admin_client
    with translation.override("en"):
        response = _patch(client, organisation, json.dumps(body))
    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["Null characters are not allowed."]}
    assert _unchanged(organisation)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("city=Ha%00gen", "application/x-www-form-urlencoded"),
        (
            '--b\r\nContent-Disposition: form-data; name="city"\r\n\r\nHa\x00gen\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ],
)
def test_nul_in_a_form_body_is_refused_naming_the_field(
    organisation_admin_client, body, content_type
):
    client, organisation = organisation_admin_client
    with translation.override("en"):
        response = _patch(client, organisation, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["errors"] == {"city": ["Null characters are not allowed."]}
    assert _unchanged(organisation)


def test_other_control_characters_in_bodies_are_no_server_error(organisation_admin_client):
    # PostgreSQL stores them; what a field keeps of them is the field's business
    client, organisation = organisation_admin_client
    response = _patch(client, organisation, json.dumps({"city": "Ha\x01gen\x1b"}))
    assert response.status_code in {200, 400}
    assert response.status_code != 500
