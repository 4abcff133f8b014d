"""The API contract, checked by Schemathesis against the running application (WSGI, in-process).

With the demo cluster seeded and Bearer tokens of two users (an organisation admin with a write
token, a member with a read token), every operation of /api/schema/ gets generated requests,
both with random path parameters and with the ids of seeded objects. Every response must:
not be a server error, have a documented status code and content type, and match its schema
(body and documented headers). Bounded: MAX_EXAMPLES per operation and user; about a minute on
two cores.
"""

import pytest
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.security.coverage import api_operations

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo cluster and two tokens, rolled back after this module's tests."""
    from accounts.models import User
    from accounts.services import api_token_create
    from demo.seed import seed_cluster

    # Requests go straight to the WSGI application, whose request signals would close the
    # connection holding this module's transaction (Django's test client disconnects them too).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        seed_cluster()
        admin = User.objects.get(email="anna.schmidt@demo.spin.example")
        member = User.objects.get(email="jonas.becker@demo.spin.example")
        _token, write_key = api_token_create(user=admin, name="contract", scope="write")
        _token, read_key = api_token_create(user=member, name="contract", scope="read")
        yield {"write": write_key, "read": read_key}
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema():
    from spinportal.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def _path_samples() -> dict[str, str]:
    """Ids of seeded objects for the path parameters, so requests also reach real objects."""
    from projects.models import Document, Milestone, NewsPost, Project, WorkPackage

    project = Project.objects.filter(documents__isnull=False).order_by("pk").first()
    return {
        "lookup": project.slug,
        "project_id": str(project.public_id),
        "documents": str(Document.objects.filter(project=project).first().pk),
        "milestones": str(Milestone.objects.filter(project=project).first().pk),
        "news": str(NewsPost.objects.filter(project=project).first().pk),
        "work-packages": str(WorkPackage.objects.filter(project=project).first().pk),
    }


def _summary(error) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = " | ".join(lines[:14])
    if isinstance(error, BaseExceptionGroup):
        text += " || " + " | ".join(str(inner).splitlines()[0] for inner in error.exceptions)
    return text


def _run(operation, headers, failures, path_parameters=None):
    strategy = operation.as_strategy(path_parameters=path_parameters)

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # every kind of finding is collected
            failures.setdefault(operation.label, _summary(error))
            raise

    try:
        check()
    except Unsatisfiable:
        pass
    except (Exception, BaseExceptionGroup):  # noqa: S110 - recorded in `failures` above
        pass


@pytest.mark.django_db
def test_every_operation_conforms_to_the_schema(seeded, settings):
    # more than 600 requests a minute per token; the throttles have their own tests
    # (tests/security/test_api_throttling.py)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "user": None, "anon": None},
    }
    schema = _schema()
    samples = _path_samples()
    failures: dict[str, list[str]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    # all of them: none was dropped as unloadable
    assert len(operations) == len(api_operations())
    for operation in operations:
        for scope in ("write", "read"):
            headers = {"Authorization": f"Bearer {seeded[scope]}"}
            _run(operation, headers, failures)
            names = {p.name for p in operation.path_parameters}
            fixed = {name: samples[name] for name in names if name in samples}
            if "id" in names and "project_id" in names:
                # /api/v1/projects/{project_id}/<resource>/{id}/...
                fixed["id"] = samples[operation.path.split("/")[5]]
            if fixed:
                _run(operation, headers, failures, path_parameters=fixed)
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))
