"""Opportunity services: validation, matching scheduled after commit, nothing half-saved,
feedback on matches, forwarding, and contacting a suggestion from one's own opportunity."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from matchmaking import scheduling
from matchmaking.models import ContactRequest, Forwarding, MatchFeedback, Opportunity
from matchmaking.services.contact_requests import contact_request_create
from matchmaking.services.opportunities import (
    forwarding_create,
    match_dismiss,
    match_restore,
    opportunity_create,
    opportunity_update,
)
from spinportal.models import AuditRecord
from tests.factories import (
    CompetenceFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
)
from tests.matchmaking.factories import MatchFactory
from tests.matchmaking.factories_pages import days_from_today, opportunity_of, owner_of


@pytest.fixture
def owner(organisation):
    return owner_of(organisation)


@pytest.fixture
def scheduled(monkeypatch):
    """The ids the services asked the engine to recompute (the engine itself is not run)."""
    calls = []
    monkeypatch.setattr(
        "matchmaking.services.opportunities.schedule_opportunity_matching", calls.append
    )
    return calls


def create(owner, organisation, **overrides):
    arguments = {
        "actor": owner,
        "organisation": organisation,
        "kind": "offer",
        "title": "Messtechnik",
        "description": "Wir bieten Messtechnik an.",
        "valid_until": days_from_today(30),
    }
    arguments.update(overrides)
    return opportunity_create(**arguments)


@pytest.mark.django_db
def test_publishing_schedules_matching_drafts_do_not(owner, organisation, scheduled):
    draft = create(owner, organisation)
    assert scheduled == []
    published = create(owner, organisation, status="published")
    assert scheduled == [published.pk]
    # editing a draft does not schedule; publishing and editing while published do
    opportunity_update(actor=owner, opportunity=draft, title="Neu")
    assert scheduled == [published.pk]
    opportunity_update(actor=owner, opportunity=draft, status="published")
    opportunity_update(actor=owner, opportunity=draft, title="Neuer")
    assert scheduled == [published.pk, draft.pk, draft.pk]
    # an unchanged save schedules nothing
    opportunity_update(actor=owner, opportunity=draft, title="Neuer")
    assert scheduled == [published.pk, draft.pk, draft.pk]


@pytest.mark.django_db
def test_matching_runs_only_after_commit(
    owner, organisation, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        "matchmaking.tasks.matching_organisation_update.delay", lambda pk: calls.append(pk)
    )
    monkeypatch.setattr(
        "matchmaking.services.opportunities.schedule_opportunity_matching",
        scheduling.schedule_opportunity_matching,
    )
    with django_capture_on_commit_callbacks() as callbacks:
        create(owner, organisation, status="published")
    # nothing is queued inside the transaction; on commit, the profiles of the opportunity's
    # organisation are re-derived (which updates every list they touch)
    assert calls == []
    for callback in callbacks:
        callback()
    assert calls == [organisation.pk]


@pytest.mark.django_db
def test_dismiss_and_restore_recompute_only_the_opportunitys_list_after_commit(
    owner, organisation, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr("matchmaking.tasks.matching_opportunities_recompute.delay", calls.append)
    monkeypatch.setattr(
        "matchmaking.tasks.matching_organisation_update.delay",
        lambda pk: pytest.fail("a dismissal re-derives no profile"),
    )
    opportunity = opportunity_of(owner, organisation)
    match = MatchFactory(opportunity=opportunity)
    with django_capture_on_commit_callbacks(execute=True):
        match_dismiss(actor=owner, opportunity=opportunity, organisation=match.target_organisation)
    assert calls == [[opportunity.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        match_restore(actor=owner, opportunity=opportunity, organisation=match.target_organisation)
    assert calls == [[opportunity.pk], [opportunity.pk]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": ""}, "description"),
        ({"description": "x" * 10001}, "description"),
        ({"valid_until": days_from_today(-1)}, "valid_until"),
        ({"valid_until": days_from_today(800)}, "valid_until"),
        ({"partner_kinds": ["pirates"]}, "partner_kinds"),
        ({"kind": "gift"}, "kind"),
        ({"visibility": "everyone"}, "visibility"),
        ({"language": "fr"}, "language"),
        ({"competences": ["not a competence"]}, "competences"),
    ],
)
def test_create_refuses_bad_input(owner, organisation, scheduled, overrides, field):
    with pytest.raises(ValidationError) as error:
        create(owner, organisation, status="published", **overrides)
    assert field in error.value.message_dict
    assert Opportunity.objects.count() == 0
    assert AuditRecord.objects.count() == 0
    assert scheduled == []


@pytest.mark.django_db
def test_project_must_be_visible_to_the_author(owner, organisation):
    hidden = ProjectFactory(visibility="consortium")
    with pytest.raises(ValidationError) as error:
        create(owner, organisation, project=hidden)
    assert error.value.message_dict == {"project": ["Projekt nicht gefunden."]}
    public = ProjectFactory(visibility="public")
    assert create(owner, organisation, project=public).project == public


@pytest.mark.django_db
def test_only_members_of_active_organisations_create(owner, organisation, user):
    with pytest.raises(PermissionDenied):
        create(user, organisation)
    organisation.status = "pending"
    organisation.save()
    owner = type(owner).objects.get(pk=owner.pk)  # without cached memberships
    with pytest.raises(PermissionDenied):
        create(owner, organisation)
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_competences_and_partner_kinds_are_stored(owner, organisation):
    competences = CompetenceFactory.create_batch(2)
    opportunity = create(
        owner, organisation, competences=competences, partner_kinds=["science", "sme", "sme"]
    )
    assert set(opportunity.competences.all()) == set(competences)
    assert opportunity.partner_kinds == ["sme", "science"]


@pytest.mark.django_db
def test_member_who_did_not_create_it_may_not_update(organisation, owner, org_member):
    opportunity = opportunity_of(owner, organisation)
    with pytest.raises(PermissionDenied):
        opportunity_update(actor=org_member, opportunity=opportunity, title="Nein")
    opportunity.refresh_from_db()
    assert opportunity.title != "Nein"


@pytest.mark.django_db
def test_dismiss_needs_a_suggestion(owner, organisation):
    opportunity = opportunity_of(owner, organisation)
    with pytest.raises(ValidationError):
        match_dismiss(actor=owner, opportunity=opportunity, organisation=OrganisationFactory())
    match = MatchFactory(opportunity=opportunity)
    match_dismiss(actor=owner, opportunity=opportunity, organisation=match.target_organisation)
    assert MatchFeedback.objects.get().is_dismissed is True


@pytest.mark.django_db
def test_owner_contacts_a_suggested_organisation_from_their_opportunity(owner, organisation):
    # given a match of the owner's opportunity
    opportunity = opportunity_of(owner, organisation)
    match = MatchFactory(opportunity=opportunity)
    # when the owner writes to the suggested organisation about it
    contact_request = contact_request_create(
        actor=owner,
        receiver_organisation=match.target_organisation,
        opportunity=opportunity,
        message="Passt das?",
    )
    # then the request goes out for the owner's organisation and the outcome is "contacted"
    assert contact_request.sender_organisation == organisation
    feedback = MatchFeedback.objects.get()
    assert (feedback.organisation, feedback.outcome) == (match.target_organisation, "contacted")


@pytest.mark.django_db
def test_opportunity_of_a_third_organisation_is_refused(owner, organisation):
    third = OrganisationFactory()
    foreign = opportunity_of(owner_of(third), third)
    with pytest.raises(ValidationError) as error:
        contact_request_create(
            actor=owner,
            receiver_organisation=OrganisationFactory(),
            opportunity=foreign,
            message="Hallo",
        )
    assert error.value.message_dict["opportunity"] == [
        "Die Kooperationsmöglichkeit gehört keiner der beiden Organisationen."
    ]
    assert ContactRequest.objects.count() == 0


@pytest.mark.django_db
def test_several_organisations_need_a_choice(owner, organisation):
    MembershipFactory(user=owner)
    owner = type(owner).objects.get(pk=owner.pk)
    with pytest.raises(ValidationError) as error:
        contact_request_create(
            actor=owner, receiver_organisation=OrganisationFactory(), message="x"
        )
    assert "sender_organisation" in error.value.message_dict


@pytest.mark.django_db
def test_forwarding_rules(staff, owner, organisation):
    public = opportunity_of(owner, organisation)
    confidential = opportunity_of(owner, organisation, visibility="office")
    target = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        forwarding_create(actor=staff, opportunity=public, organisation=target)
    with pytest.raises(PermissionDenied):
        forwarding_create(actor=owner, opportunity=confidential, organisation=target)
    with pytest.raises(ValidationError):
        forwarding_create(actor=staff, opportunity=confidential, organisation=organisation)
    forwarding_create(actor=staff, opportunity=confidential, organisation=target)
    with pytest.raises(ValidationError):
        forwarding_create(actor=staff, opportunity=confidential, organisation=target)
    assert Forwarding.objects.count() == 1


# --- Keywords ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_keywords_are_normalised(owner, organisation):
    opportunity = create(
        owner,
        organisation,
        keywords="Abwärme,\x00Drehrohr\x1fofen , abwärme,\u200b,  Power \r\n to  Heat",
    )
    # control characters (and a zero-width space) out, spaces collapsed, empty entries and
    # a repeated keyword (in any case) dropped, the first spelling kept
    assert opportunity.keywords == "Abwärme, Drehrohr ofen, Power to Heat"
    opportunity.refresh_from_db()
    assert opportunity.keyword_list == ["Abwärme", "Drehrohr ofen", "Power to Heat"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (",".join(f"w{n}" for n in range(31)), "Enter at most 30 keywords."),
        ("x" * 61, "A keyword may have at most 60 characters."),
        (", ".join(f"{n:02d}" + "x" * 58 for n in range(30)), "at most 500 characters in all"),
        (["a", "b"], "Enter the keywords as text, separated by commas."),
    ],
    ids=["31 keywords", "61 characters", "over 500 in all", "not text"],
)
def test_bad_keywords_are_refused(owner, organisation, keywords, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        create(owner, organisation, keywords=keywords)
    assert list(error.value.message_dict) == ["keywords"]
    assert message in error.value.message_dict["keywords"][0]
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_thirty_duplicates_and_a_keyword_of_60_characters_are_accepted(owner, organisation):
    # 31 entries, but the repeated one counts once
    keywords = ",".join([f"w{n}" for n in range(30)] + ["W0"])
    assert len(create(owner, organisation, keywords=keywords).keyword_list) == 30
    assert create(owner, organisation, keywords="x" * 60).keywords == "x" * 60


@pytest.mark.django_db
def test_changing_the_keywords_of_a_published_opportunity_schedules_matching(
    owner, organisation, scheduled
):
    published = create(owner, organisation, status="published")
    opportunity_update(actor=owner, opportunity=published, keywords="Sinterofen")
    assert scheduled == [published.pk, published.pk]
    assert AuditRecord.objects.filter(action="opportunity.updated").get().data["fields"] == [
        "keywords"
    ]
