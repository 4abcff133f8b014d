"""The API contract, checked by Schemathesis the way its command line checks a running server.

`st run --checks all --max-examples 30` with its phases (examples, coverage, fuzzing and the
stateful phase, which follows the schema's OpenAPI links from a create to the read, update and
delete of what it created), here in-process against the WSGI application, on the seeded demo
cluster with contact requests between FH Dortmund and Siemens, with the API tokens of the two
organisations' administrators. Each run is pinned to one of them; the other is its peer for the
object-level authorisation check (an object of one organisation must not be readable with the
other's token).

A failure of any check fails the test (a server error, an undocumented status code or content
type, a response or header that does not match its schema, authentication not enforced, an
object readable by the peer, a resource missing after its create or present after its delete),
except for the two checks in TOLERATED, which are counted and printed.

The requests come from Schemathesis's worker threads, which have database connections of their
own: the data is committed (a transactional test) so that they see it. The seed and
`deterministic` make the generated cases the same on every run, in CI as on a laptop.
"""

import io
import json
import logging
import traceback

import pytest
from django.core.management import call_command

from tests.projects.factories_workplan import use_private_storage

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.transport.wsgi import WSGITransport  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20261207
MAX_EXAMPLES = 30
# Checks run and counted, but not failing the test:
# - positive_data_acceptance counts every 400 to a request that fits the schema as a failure,
#   and the API refuses well-formed requests for reasons no schema can state: an organisation
#   slug that does not exist, a contact request that is no longer open, a duplicate.
# - negative_data_rejection counts the leniency of DRF's fields as a failure: `0` and `1` for
#   booleans, a number for a string, "" for a null. The list filters of partners and projects
#   also ignore values they do not know instead of refusing them.
TOLERATED = {"positive_data_acceptance", "negative_data_rejection"}
IDENTITIES = {
    "fh-dortmund": "anna.schmidt@demo.spin.example",
    "siemens": "markus.weber@demo.spin.example",
}


@pytest.fixture
def world(settings, tmp_path, monkeypatch, caplog):
    """The demo cluster, a write token for each of the two admins, open and accepted contact
    requests between their organisations, and a WFC auth document naming both tokens."""
    from accounts.models import User
    from accounts.services import api_token_create
    from demo.seed import seed_cluster
    from matchmaking.services.contact_requests import (
        contact_request_accept,
        contact_request_create,
        message_create,
    )
    from partners.models import Organisation

    # Schemathesis sends thousands of requests within a minute; the throttles have their own
    # tests (tests/security/test_api_throttling.py).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "user": None, "anon": None},
    }
    # the outside world: webhooks Schemathesis creates are "delivered" without a network, and
    # uploaded documents go to a temporary folder
    use_private_storage(monkeypatch, tmp_path)
    monkeypatch.setattr("notifications.tasks._post", lambda endpoint, delivery: 204)
    # Schemathesis 4.32.5 sends its authentication probes through the WSGI transport with
    # settings only `requests` knows (max_redirects, verify, cert), which werkzeug refuses.
    send = WSGITransport.send

    def send_without_network_settings(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send_without_network_settings)
    # one log line per request is thousands here
    caplog.set_level(logging.WARNING, logger="spinportal.request")
    caplog.set_level(logging.WARNING, logger="celery")
    seed_cluster()
    call_command("recompute_matches", stdout=io.StringIO())
    users = {slug: User.objects.get(email=email) for slug, email in IDENTITIES.items()}
    organisations = {slug: Organisation.objects.get(slug=slug) for slug in IDENTITIES}
    first, second = IDENTITIES
    accepted = contact_request_create(
        actor=users[first],
        receiver_organisation=organisations[second],
        sender_organisation=organisations[first],
        message="Digitale Zwillinge für Umspannwerke?",
    )
    accepted = contact_request_accept(actor=users[second], contact_request=accepted)
    message_create(actor=users[first], contact_request=accepted, text="Wann passt ein Termin?")
    for sender, receiver in ((first, second), (second, first)):
        contact_request_create(
            actor=users[sender],
            receiver_organisation=organisations[receiver],
            sender_organisation=organisations[sender],
            message="Wir suchen einen Partner für einen Prüfstand.",
        )
    document = {
        "auth": [
            {
                "name": slug,
                "fixedHeaders": [
                    {
                        "name": "Authorization",
                        "value": "Bearer "
                        + api_token_create(user=user, name="contract", scope="write")[1],
                    }
                ],
            }
            for slug, user in users.items()
        ]
    }
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(document))
    return path


def _config(auth_document, identity: str) -> SchemathesisConfig:
    # The examples and coverage phases derive their cases from the schema alone and gain little
    # from a second identity; fuzzing and the stateful phase see the second one's own objects.
    first = identity == next(iter(IDENTITIES))
    return SchemathesisConfig.from_dict(
        {
            "phases": {"examples": {"enabled": first}, "coverage": {"enabled": first}},
            "seed": SEED,
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},
            "workers": 1,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": True},
            "operations": [
                # Anonymous PATCH of an organisation that does not exist answers 404, not 401:
                # CanEditOrganisation (partners/api/organisations.py) decides only per object,
                # after the lookup. Reported; remove this once anonymous writes get 401 first.
                {
                    "include-operation-id": "v1_organisations_partial_update",
                    "checks": {"ignored_auth": {"enabled": False}},
                }
            ],
            "auth": {
                "wfc": {"path": str(auth_document), "user": identity, "peers": list(IDENTITIES)}
            },
        }
    )


def _run(schema) -> tuple[list[str], dict[str, int], dict]:
    """The failures of every phase, one entry each with how to reproduce it; the number of each
    kind of failure (the tolerated checks' included); how each phase ended."""
    failures: list[str] = []
    counts: dict[str, int] = {}
    phases: dict = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished):
            phases[event.phase.name.value] = event.status.value
        if isinstance(event, events.PhaseStarted) and event.payload is not None:
            phases["stateful links"] = event.payload.transitions_selected
        if isinstance(event, events.ScenarioFinished):
            for check_nodes in event.recorder.checks.values():
                for node in check_nodes:
                    if node.failure_info is None:
                        continue
                    failure = node.failure_info.failure
                    key = f"{node.name}: {failure.code} {failure.title}"
                    counts[key] = counts.get(key, 0) + 1
                    if node.name in TOLERATED:
                        continue
                    steps = node.failure_info.steps
                    failures.append(
                        f"[{event.phase.value}] {failure.code} {failure.title} in "
                        f"{failure.operation}: {failure.message.strip()[:1200]}\n"
                        f"    {steps[-1].curl[:1200] if steps else ''}"
                    )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            error = getattr(event, "value", None) or getattr(event, "exception", None)
            counts["engine errors"] = counts.get("engine errors", 0) + 1
            failures.append(
                f"error in {getattr(event, 'label', '?')}: {error!r}\n"
                + "".join(traceback.format_exception(error))[-3000:]
            )
    return failures, counts, phases


@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_the_api_keeps_its_contract(world, identity):
    from spinportal.wsgi import application

    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=_config(world, identity)
    )
    failures, counts, phases = _run(schema)
    # the counts of all checks, the tolerated ones included, for the log of the run
    print(f"Schemathesis as {identity}: {json.dumps([counts, phases], indent=1, sort_keys=True)}")
    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(failures[:40])
    # the stateful phase ran along the schema's links ("failure": the tolerated checks' findings)
    assert phases["stateful"] in ("success", "failure")
    assert phases["stateful links"] > 0
