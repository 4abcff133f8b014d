"""What the OpenAPI schema promises beyond the views' own declarations
(spinportal/api/schema.py): the answers of the plumbing, public reads, JSON bodies, links from
creates for the stateful tests, examples."""

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_READS = {
    ("get", "/api/v1/competences/"),
    ("get", "/api/v1/organisations/"),
    ("get", "/api/v1/organisations/{lookup}/"),
    ("get", "/api/v1/projects/"),
    ("get", "/api/v1/projects/{lookup}/"),
    ("get", "/api/v1/projects/{project_id}/documents/"),
    ("get", "/api/v1/projects/{project_id}/documents/{id}/"),
    ("get", "/api/v1/projects/{project_id}/documents/{id}/download/"),
    ("get", "/api/v1/projects/{project_id}/milestones/"),
    ("get", "/api/v1/projects/{project_id}/milestones/{id}/"),
    ("get", "/api/v1/projects/{project_id}/news/"),
    ("get", "/api/v1/projects/{project_id}/news/{id}/"),
    ("get", "/api/v1/projects/{project_id}/work-packages/"),
    ("get", "/api/v1/projects/{project_id}/work-packages/{id}/"),
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_exactly_the_anonymous_reads_are_documented_as_public(schema, client):
    public = {(m, p) for m, p, op in _operations(schema) if {} in op["security"]}
    assert public == PUBLIC_READS
    # and they are: anonymous, a list answers 200
    assert client.get("/api/v1/organisations/").status_code == 200
    assert client.get("/api/v1/opportunities/").status_code == 401


def test_every_operation_documents_the_answers_of_the_plumbing(schema):
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        assert {"401", "403", "429"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "415"} <= set(responses), (method, path)
    throttled = schema["paths"]["/api/v1/organisations/"]["get"]["responses"]["429"]
    assert "Retry-After" in throttled["headers"]
    assert throttled["content"]["application/json"]["example"]["code"] == "throttled"


def test_bodies_are_json_and_uploads_multipart(schema):
    media_types = {
        (method, path): set(operation["requestBody"]["content"])
        for method, path, operation in _operations(schema)
        if "requestBody" in operation
    }
    uploads = {
        ("post", "/api/v1/projects/{project_id}/documents/"),
        ("post", "/api/v1/projects/{project_id}/documents/{id}/versions/"),
    }
    for key, types in media_types.items():
        assert types == ({"multipart/form-data"} if key in uploads else {"application/json"}), key


def test_creates_link_to_the_read_and_the_update_of_what_they_created(schema):
    paths = schema["paths"]
    links = paths["/api/v1/opportunities/"]["post"]["responses"]["201"]["links"]
    assert links["V1OpportunitiesRetrieve"] == {
        "operationId": "v1_opportunities_retrieve",
        "parameters": {"id": "$response.body#/id"},
        "description": "The `id` of the created object (`id`).",
    }
    assert "V1OpportunitiesPartialUpdate" in links
    news = paths["/api/v1/projects/{project_id}/news/"]["post"]["responses"]["201"]["links"]
    assert news["V1ProjectsNewsPartialUpdate"]["parameters"] == {
        "project_id": "$request.path.project_id",
        "id": "$response.body#/id",
    }
    projects = paths["/api/v1/projects/"]["post"]["responses"]["201"]["links"]
    assert projects["V1ProjectsRetrieve"]["parameters"] == {"lookup": "$response.body#/slug"}
    registrations = paths["/api/v1/organisation-registrations/"]["post"]["responses"]["201"]
    assert registrations["links"]["V1OrganisationsRetrieve"]["parameters"] == {
        "lookup": "$response.body#/slug"
    }
    # every link names an operation that exists, with all of its path parameters
    operations = {op["operationId"]: (p, op) for _m, p, op in _operations(schema)}
    for _method, _path, operation in _operations(schema):
        for link in operation["responses"].get("201", {}).get("links", {}).values():
            target, _target_operation = operations[link["operationId"]]
            assert set(link["parameters"]) == set(_path_parameters(target)), link


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/organisations/", "200"),
        ("get", "/api/v1/organisations/{lookup}/", "200"),
        ("get", "/api/v1/people/", "200"),
        ("get", "/api/v1/projects/{lookup}/", "200"),
        ("post", "/api/v1/projects/", "201"),
        ("post", "/api/v1/opportunities/", "201"),
        ("get", "/api/v1/opportunities/{id}/matches/", "200"),
        ("post", "/api/v1/contact-requests/", "201"),
        ("post", "/api/v1/contact-requests/{id}/messages/", "201"),
        ("post", "/api/v1/webhooks/", "201"),
        ("get", "/api/v1/opportunities/", "404"),
    ],
)
def test_the_main_resources_have_examples(schema, method, path, status):
    operation = schema["paths"][path][method]
    content = operation["responses"][status]["content"]["application/json"]
    assert content.get("examples") or content.get("example"), (method, path, status)
    if status == "201":
        assert operation["requestBody"]["content"]["application/json"]["examples"]
