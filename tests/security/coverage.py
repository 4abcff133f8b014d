"""The registry behind tests/security/test_access_coverage.py.

A permission-matrix test module declares what its matrix tests exercise:

    COVERS = ["projects:edit", "v1_projects_partial_update"]

URL names are written with their namespaces (as for ``reverse``); API operations by their OpenAPI
``operationId``. A key counts as covered only if a module that declares it asserts the status
codes of several kinds of user (anonymous, partner of another organisation, member, organisation
admin, staff) for it. The coverage test imports every test module, gathers the declarations and
compares them with the URL patterns and the operations of the schema: an endpoint added without
a matrix test fails it, and so does a declaration of a key that no longer exists.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests

# Packages that hold no permission-matrix tests and need extra tooling to import (Playwright).
SKIPPED_PACKAGES = ("tests.e2e", "tests.a11y")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "<unnamed …>" for a pattern without a name
    pattern: str


def url_routes() -> list[Route]:
    """Every URL pattern of the project, resolvers walked recursively, names with namespaces."""

    def walk(patterns, namespace: str, prefix: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                full = prefix + str(entry.pattern)
                if entry.name:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    name = f"<unnamed {full}>"
                yield Route(name=name, pattern=full)

    return list(walk(get_resolver().url_patterns, "", ""))


def api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path) for every operation of the generated OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "patch", "post", "delete"):
                operations[operation["operationId"]] = (method.upper(), path)
    return operations


@dataclass
class Declarations:
    by_key: dict[str, list[str]] = field(default_factory=dict)  # key -> declaring modules

    def add(self, key: str, module: str) -> None:
        self.by_key.setdefault(key, []).append(module)


def test_module_names() -> list[str]:
    root = Path(tests.__file__).parent
    names = []
    for info in pkgutil.walk_packages([str(root)], prefix="tests."):
        if info.name.startswith(SKIPPED_PACKAGES):
            continue
        if info.name.rpartition(".")[2].startswith("test_"):
            names.append(info.name)
    return sorted(names)


def collect() -> Declarations:
    """Imports every test module and gathers its module-level COVERS list."""
    declarations = Declarations()
    for name in test_module_names():
        module = importlib.import_module(name)
        for key in getattr(module, "COVERS", ()):
            declarations.add(key, name)
    return declarations


# --- helpers for the matrix tests in tests/security/ ---------------------------------------------

# The kinds of user of every matrix, in this order: nobody, the admin of another organisation,
# a member and an admin of the organisation that owns the object, and staff.
KINDS = ("anonymous", "other", "member", "admin", "staff")
# Columns that change on every request (log-in time) and say nothing about the object.
VOLATILE_FIELDS = {"last_login"}
STATEFUL_APPS = ("accounts", "partners", "projects", "matchmaking", "notifications", "spinportal")


def db_state() -> dict[str, list[tuple]]:
    """Every row of the portal's own tables, for asserting that a denied write changed nothing."""
    from django.apps import apps

    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in STATEFUL_APPS or model._meta.proxy:
            continue
        columns = [
            f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_FIELDS
        ]
        rows = model._default_manager.order_by("pk").values_list(*columns)
        state[model._meta.label] = [tuple(map(repr, row)) for row in rows]
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


@pytest.fixture
def cast(db, settings):
    """Two active organisations A and B, an admin and a member each, and staff.

    The matrix kinds map to: other = B's admin, member = A's member, admin = A's admin."""
    from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory

    # enrolment in two-factor authentication is tested with the authentication (issue 7.2)
    settings.MFA_REQUIRED_FOR_PRIVILEGED = False
    org_a = OrganisationFactory(name="Alpha Energie GmbH", slug="alpha")
    org_b = OrganisationFactory(name="Beta Stahl AG", slug="beta")
    people = {
        "admin": MembershipFactory(organisation=org_a, role="admin").user,
        "member": MembershipFactory(organisation=org_a, role="member").user,
        "other": MembershipFactory(organisation=org_b, role="admin").user,
        "other_member": MembershipFactory(organisation=org_b, role="member").user,
        "staff": StaffFactory(),
        "anonymous": None,
    }
    return {"org_a": org_a, "org_b": org_b, **people}


def page_statuses(client, cast, method, url, data=None, kinds=KINDS) -> list[int]:
    """The status code of one request per kind of user (HTML pages, session log-in)."""
    codes = []
    for kind in kinds:
        client.logout()
        if cast[kind] is not None:
            client.force_login(cast[kind])
        payload = data() if callable(data) else (data or {})
        codes.append(getattr(client, method)(url, payload).status_code)
    return codes


def api_statuses(api_client, cast, method, url, data=None, kinds=KINDS) -> list[int]:
    """The status code of one API request per kind of user."""
    codes = []
    for kind in kinds:
        api_client.force_authenticate(cast[kind])
        payload = data() if callable(data) else data
        if method == "get":
            response = api_client.get(url)
        else:
            response = getattr(api_client, method)(url, payload, format="json")
        codes.append(response.status_code)
    api_client.force_authenticate(None)
    return codes
