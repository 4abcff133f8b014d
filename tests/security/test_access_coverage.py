"""Access control everywhere: every URL pattern and every API operation has a permission matrix.

The declarations are the COVERS lists of the test modules (see tests/security/coverage.py). What
is not declared must be on the commented allow-list below; anything else fails this test.
"""

import re

import pytest
from django.urls import Resolver404, resolve

from tests.security.coverage import api_operations, collect, url_routes

# Endpoints without a permission matrix of their own, and why.
ALLOWED_URL_NAMES = {
    # public pages: the same for everyone, they change nothing
    "home": "public landing page",
    "imprint": "public legal page",
    "privacy": "public legal page",
    "healthz": "liveness probe for the load balancer, no data",
    "readyz": "readiness probe, no data (tests/core/test_health.py)",
    "set_language": "Django's i18n view: sets the language cookie (tests/core/test_i18n.py)",
    "schema": "the OpenAPI document, public by design (tests/core/test_api_plumbing.py)",
    "api_docs": "Swagger UI for the schema (tests/core/test_api_plumbing.py)",
    # signed-token link from an e-mail: the token is the authorisation
    "notifications:unsubscribe": "signed one-click link (tests/notifications/test_pages.py)",
}
# Django's admin: every view is wrapped in AdminSite.admin_view (staff only, log-in otherwise);
# tests/core/test_pages.py checks the redirect. allauth's own pages (log-in, sign-up, e-mail,
# password, MFA) are for the user themself and tested in tests/accounts/.
ALLOWED_URL_PREFIXES = {
    "admin:": "Django admin, staff only by AdminSite.admin_view",
    "<unnamed admin/": "Django admin object redirects, staff only by AdminSite.admin_view",
    "account_": "allauth pages of one's own account (tests/accounts/)",
    "mfa_": "allauth MFA pages of one's own account (tests/accounts/test_mfa.py)",
}
# API operations are covered through their operationId; the "api:" URL names follow from them.
API_NAMESPACE = "api:"

# sample values that satisfy the API's path converters, tried in turn
PATH_SAMPLES = ["1", "00000000-0000-0000-0000-000000000000", "some.event", "slug"]


def _allowed(name: str) -> bool:
    return name in ALLOWED_URL_NAMES or name.startswith(tuple(ALLOWED_URL_PREFIXES))


def _url_name_of(path: str) -> str:
    """The namespaced URL name that serves an OpenAPI path such as /api/v1/x/{id}/."""
    placeholders = re.findall(r"{([^}]+)}", path)
    for sample in PATH_SAMPLES:
        concrete = path
        for placeholder in placeholders:
            concrete = concrete.replace(f"{{{placeholder}}}", sample)
        try:
            match = resolve(concrete)
        except Resolver404:
            continue
        # the catch-all for unknown /api/ paths (spinportal/urls.py) matches any sample
        if match.url_name != "api_not_found":
            return match.view_name
    raise AssertionError(f"{path} resolves to no URL pattern")


@pytest.fixture(scope="module")
def inventory(django_db_blocker):
    with django_db_blocker.unblock():
        return url_routes(), api_operations(), collect()


def test_every_page_is_covered_by_a_permission_matrix(inventory):
    routes, operations, declarations = inventory
    api_names = {_url_name_of(path) for _method, path in operations.values()}
    names = {route.name for route in routes}
    # every api: URL name must be reached by the schema, or it escapes the operation check
    assert {n for n in names if n.startswith(API_NAMESPACE)} == api_names
    missing = sorted(
        name
        for name in names
        if not name.startswith(API_NAMESPACE)
        and not _allowed(name)
        and name not in declarations.by_key
    )
    assert missing == [], f"URL patterns without a permission-matrix test: {missing}"


def test_every_api_operation_is_covered_by_a_permission_matrix(inventory):
    _routes, operations, declarations = inventory
    missing = sorted(
        f"{operation_id} ({method} {path})"
        for operation_id, (method, path) in operations.items()
        if operation_id not in declarations.by_key
    )
    assert missing == [], f"API operations without a permission-matrix test: {missing}"


def test_declarations_name_existing_endpoints(inventory):
    routes, operations, declarations = inventory
    known = {route.name for route in routes} | set(operations)
    stale = sorted(
        f"{key} in {', '.join(modules)}"
        for key, modules in declarations.by_key.items()
        if key not in known
    )
    assert stale == [], f"COVERS names endpoints that do not exist: {stale}"


def test_allow_list_is_not_declared_and_still_exists(inventory):
    routes, _operations, declarations = inventory
    names = {route.name for route in routes}
    assert sorted(set(ALLOWED_URL_NAMES) - names) == []
    # an allowed endpoint that gets a matrix should leave the allow-list
    assert sorted(set(ALLOWED_URL_NAMES) & set(declarations.by_key)) == []


def test_figures(inventory, capsys):
    """Prints the coverage figures; the tests above fail on what is missing."""
    routes, operations, declarations = inventory
    names = {route.name for route in routes}
    api = {n for n in names if n.startswith(API_NAMESPACE)}
    allowed = {n for n in names if _allowed(n)}
    declared = {n for n in names if n in declarations.by_key}
    uncovered = len(names) - len(api) - len(allowed) - len(declared)
    covered_ops = set(operations) & set(declarations.by_key)
    with capsys.disabled():
        print(
            f"\nURL patterns: {len(routes)} ({len(names)} names): {len(declared)} covered by "
            f"matrices, {len(api)} API names covered through operations, {len(allowed)} "
            f"allow-listed, {uncovered} uncovered; API operations: {len(operations)}, "
            f"{len(covered_ops)} covered"
        )
