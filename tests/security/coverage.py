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
