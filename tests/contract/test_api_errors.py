"""Every /api/ path answers in the API's JSON error format, also the ones that name no endpoint,
and also with DEBUG on (where Django would render its HTML 404 page)."""

import pytest

from tests.security.coverage import api_statuses, cast, changed_tables, db_state  # noqa: F401

COVERS = ["api_not_found"]

NOT_FOUND = {"status": 404, "code": "not_found", "detail": "Not found."}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nonexistent/",
        "/api/v1/nonexistent",
        "/api/v1/organisations/werk-ruhr/nonexistent/",
        "/api/v2/organisations/",
        "/api/",
        "/api",
        "/api/v1/organisations/%07/",
    ],
)
def test_unknown_api_paths_answer_the_json_404(client, debug, path):
    response = client.get(path, **ENGLISH)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_unknown_api_paths_answer_the_json_404_not_the_csrf_page(client, user, method):
    # a browser session without a CSRF token: Django would answer its HTML 403 page
    client.force_login(user)
    response = getattr(client, method)("/api/v1/nonexistent/", **ENGLISH)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.django_db
def test_a_get_without_the_trailing_slash_is_still_redirected(client):
    response = client.get("/api/v1/organisations?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/organisations/?page=2"
    # a write is not redirected (the body would be lost): the JSON 404
    response = client.post("/api/v1/organisations", **ENGLISH)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_catch_all_matrix(api_client, cast):  # noqa: F811
    # nobody, whoever they are, finds anything there, and nothing changes
    url = "/api/v1/organisations/alpha/nonexistent/"
    before = db_state()
    for method in ("get", "post", "patch", "delete"):
        assert api_statuses(api_client, cast, method, url, {"name": "x"}) == [404] * 5
    assert changed_tables(before, db_state()) == []
