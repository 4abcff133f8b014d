"""Opportunity pages: permission matrix, list filters and query counts, create and edit with
bad input, status changes, matches with feedback, confidential forwarding, statistics."""

import pytest
from django.urls import reverse

from matchmaking.models import Forwarding, MatchFeedback, Opportunity
from partners.models import Competence
from spinportal.models import AuditRecord
from tests.factories import CompetenceFactory, MembershipFactory, OrganisationFactory
from tests.matchmaking.factories import MatchFactory, OpportunityFactory
from tests.matchmaking.factories_pages import (
    ACTORS,
    days_from_today,
    login_as,
    opportunity_of,
    owner_of,
)

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "matchmaking:opportunity_list",
    "matchmaking:opportunity_detail",
    "matchmaking:opportunity_edit",
    "matchmaking:opportunity_close",
    "matchmaking:opportunity_create",
    "matchmaking:match_dismiss",
    "matchmaking:opportunity_forward",
    "matchmaking:statistics",
]


@pytest.fixture
def owner(organisation):
    return owner_of(organisation)


@pytest.fixture
def opportunity(owner, organisation):
    return opportunity_of(owner, organisation, title="Wasserstoff-Elektrolyse im Stahlwerk")


@pytest.fixture
def users(other_partner, org_member, owner, staff):
    return {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "owner": owner,
        "staff": staff,
    }


def statuses(client, users, method, url, data=None, actors=ACTORS):
    result = []
    for actor in actors:
        login_as(client, users, actor)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        result.append(response.status_code)
    return result


def detail_url(opportunity, name="opportunity_detail"):
    return reverse(f"matchmaking:{name}", kwargs={"public_id": opportunity.public_id})


# --- Permission matrix ------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_and_published_detail_are_for_logged_in_partners(client, users, opportunity):
    assert statuses(client, users, "get", reverse("matchmaking:opportunity_list")) == [
        302,
        200,
        200,
        200,
        200,
    ]
    assert statuses(client, users, "get", detail_url(opportunity)) == [302, 200, 200, 200, 200]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"status": "draft"}, "draft"),
        ({"status": "closed"}, "closed"),
        ({"valid_until": days_from_today(-1)}, "expired"),
        ({"visibility": "office"}, "confidential"),
    ],
)
def test_hidden_opportunity_is_404_for_other_partners(client, users, opportunity, changes, label):
    # given an opportunity that other partners may not see
    Opportunity.objects.filter(pk=opportunity.pk).update(**changes)
    # then its page answers 404 for them, as for a missing one, and works for its organisation
    assert statuses(client, users, "get", detail_url(opportunity)) == [302, 404, 200, 200, 200]


@pytest.mark.django_db
def test_missing_opportunity_is_404(client, other_partner):
    client.force_login(other_partner)
    url = reverse(
        "matchmaking:opportunity_detail",
        kwargs={"public_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_edit_page_matrix(client, users, opportunity):
    assert statuses(client, users, "get", detail_url(opportunity, "opportunity_edit")) == [
        302,
        403,
        403,
        200,
        200,
    ]


@pytest.mark.django_db
def test_organisation_admin_manages_a_colleagues_opportunity(client, org_admin, opportunity):
    client.force_login(org_admin)
    assert client.get(detail_url(opportunity, "opportunity_edit")).status_code == 200


@pytest.mark.django_db
def test_denied_status_change_changes_nothing(client, users, opportunity):
    url = detail_url(opportunity, "opportunity_close")
    assert statuses(client, users, "post", url, actors=ACTORS[:3]) == [302, 403, 403]
    opportunity.refresh_from_db()
    assert opportunity.status == "published"
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_create_page_needs_an_active_organisation(client, users, user):
    url = reverse("matchmaking:opportunity_create")
    assert statuses(client, users, "get", url) == [302, 200, 200, 200, 403]
    client.force_login(user)  # belongs to no organisation
    assert client.get(url).status_code == 403
    pending = MembershipFactory(organisation=OrganisationFactory(status="pending")).user
    client.force_login(pending)
    assert client.get(url).status_code == 403


# --- List: filters and query counts -----------------------------------------------------------


@pytest.mark.django_db
def test_list_filters_by_kind_competence_and_own_status(client, owner, organisation):
    # given offers and requests of two organisations, one with a competence, one draft
    competence = CompetenceFactory(slug="elektrolyse")
    opportunity_of(owner, organisation, title="Offer A", competences=[competence])
    opportunity_of(owner, organisation, title="Request B", kind="request")
    opportunity_of(owner, organisation, title="Draft C", status="draft")
    foreign_draft = OpportunityFactory(title="Foreign draft", status="draft")
    client.force_login(owner)
    url = reverse("matchmaking:opportunity_list")

    def titles(**params):
        page = client.get(url, params).context["page"]
        return sorted(o.title for o in page.object_list)

    # then
    assert titles() == ["Draft C", "Offer A", "Request B"]
    assert titles(kind="request") == ["Request B"]
    assert titles(competence="elektrolyse") == ["Offer A"]
    assert titles(status="draft") == ["Draft C"]
    assert titles(q="request") == ["Request B"]
    assert foreign_draft.title not in titles(status="draft")


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(client, other_partner, django_assert_num_queries):
    competences = CompetenceFactory.create_batch(2)
    OpportunityFactory.create_batch(5, competences=competences)
    client.force_login(other_partner)
    url = reverse("matchmaking:opportunity_list")
    # session, user, member organisations, count, rows, competences, the competence tree of
    # the filter form, active member organisations (for the "new" button)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 5
    OpportunityFactory.create_batch(5, competences=competences)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 10


# --- Create and edit --------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "kind": "request",
        "title": "Partner für Wärmepumpen gesucht",
        "description": "Wir suchen einen Partner für **Großwärmepumpen**.",
        "language": "de",
        "valid_until": days_from_today(60).isoformat(),
        "visibility": "partners",
        "publish": "1",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_publishes_and_audits(client, owner, organisation):
    competence = CompetenceFactory()
    client.force_login(owner)
    response = client.post(
        reverse("matchmaking:opportunity_create"),
        form_data(
            organisation=organisation.pk,
            competences=[competence.pk],
            partner_kinds=["science", "sme"],
        ),
    )
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(opportunity)
    assert opportunity.status == "published"
    assert opportunity.published_at is not None
    assert opportunity.created_by == owner
    assert opportunity.partner_kinds == ["sme", "science"]
    assert list(opportunity.competences.all()) == [competence]
    assert AuditRecord.objects.get().action == "opportunity.created"


@pytest.mark.django_db
def test_create_as_draft(client, owner, organisation):
    client.force_login(owner)
    data = form_data(organisation=organisation.pk)
    del data["publish"]
    client.post(reverse("matchmaking:opportunity_create"), {**data, "draft": "1"})
    opportunity = Opportunity.objects.get()
    assert (opportunity.status, opportunity.published_at) == ("draft", None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "   "}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters"),
        ({"description": ""}, "description", "This field is required."),
        ({"description": "x" * 10001}, "description", "at most 10000 characters"),
        ({"valid_until": "2000-01-01"}, "valid_until", "must not lie in the past"),
        ({"competences": ["999999"]}, "competences", "Select a valid choice."),
        ({"partner_kinds": ["pirates"]}, "partner_kinds", "Select a valid choice."),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(
    client, owner, organisation, overrides, field, message
):
    client.force_login(owner)
    response = client.post(
        reverse("matchmaking:opportunity_create"),
        form_data(organisation=organisation.pk, **overrides),
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Opportunity.objects.count() == 0
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_create_saves_the_keywords_cleaned(client, owner, organisation):
    client.force_login(owner)
    page = client.get(reverse("matchmaking:opportunity_create")).content.decode()
    assert 'name="keywords"' in page
    assert 'maxlength="500"' in page
    response = client.post(
        reverse("matchmaking:opportunity_create"),
        form_data(
            organisation=organisation.pk,
            keywords=" Drehrohrofen ,Abwärme,, drehrohrofen, Power\tto\x07Heat ",
        ),
    )
    assert response.status_code == 302
    # spaces trimmed, empty entries and a repeated keyword dropped, control characters out
    opportunity = Opportunity.objects.get()
    assert opportunity.keywords == "Drehrohrofen, Abwärme, Power to Heat"
    assert opportunity.keyword_list == ["Drehrohrofen", "Abwärme", "Power to Heat"]
    # and the edit form shows them as saved
    form = client.get(detail_url(opportunity, "opportunity_edit")).context["form"]
    assert form["keywords"].value() == "Drehrohrofen, Abwärme, Power to Heat"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (", ".join(f"W{n}" for n in range(31)), "Enter at most 30 keywords."),
        ("Wärme, " + "x" * 61, "A keyword may have at most 60 characters."),
        ("x" * 501, "Ensure this value has at most 500 characters (it has 501)."),
    ],
    ids=["31 keywords", "61 characters", "501 characters"],
)
def test_create_refuses_bad_keywords(client, owner, organisation, keywords, message):
    client.force_login(owner)
    response = client.post(
        reverse("matchmaking:opportunity_create"),
        form_data(organisation=organisation.pk, keywords=keywords),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["keywords"] == [message]
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_edit_changes_the_keywords(client, owner, opportunity):
    client.force_login(owner)
    response = client.post(
        detail_url(opportunity, "opportunity_edit"),
        form_data(title=opportunity.title, kind="offer", keywords="Sinterofen, Abwärme"),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.keywords == "Sinterofen, Abwärme"
    assert "keywords" in AuditRecord.objects.get().data["fields"]


@pytest.mark.django_db
def test_list_search_finds_a_word_that_is_only_in_the_keywords(client, owner, organisation):
    opportunity_of(owner, organisation, title="Offer A", keywords="Drehrohrofen, Abwärme")
    opportunity_of(owner, organisation, title="Offer B", description="Ein Sinterofen.")
    client.force_login(owner)
    url = reverse("matchmaking:opportunity_list")

    def titles(q):
        return sorted(o.title for o in client.get(url, {"q": q}).context["page"].object_list)

    assert titles("drehrohrofen") == ["Offer A"]
    assert titles("DREHROHR") == ["Offer A"]
    assert titles("abwärme") == ["Offer A"]
    assert titles("ofen") == ["Offer A", "Offer B"]
    assert titles("abwärme sinterofen") == []


@pytest.mark.django_db
def test_create_for_a_foreign_organisation_is_refused(client, owner):
    client.force_login(owner)
    foreign = OrganisationFactory()
    response = client.post(
        reverse("matchmaking:opportunity_create"), form_data(organisation=foreign.pk)
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_edit_saves_and_rearms_the_expiry_reminder(client, owner, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(expiry_reminded_at="2026-01-01T00:00Z")
    client.force_login(owner)
    new_date = days_from_today(120)
    response = client.post(
        detail_url(opportunity, "opportunity_edit"),
        form_data(title="Neuer Titel", valid_until=new_date.isoformat()),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.valid_until) == ("Neuer Titel", new_date)
    assert opportunity.expiry_reminded_at is None
    assert AuditRecord.objects.get().data["fields"] == [
        "description",
        "kind",
        "title",
        "valid_until",
    ]


@pytest.mark.django_db
def test_close_and_republish(client, owner, opportunity):
    client.force_login(owner)
    client.post(detail_url(opportunity, "opportunity_close"))
    opportunity.refresh_from_db()
    assert opportunity.status == "closed"
    client.post(detail_url(opportunity, "opportunity_publish"))
    opportunity.refresh_from_db()
    assert opportunity.status == "published"


@pytest.mark.django_db
def test_republishing_an_expired_opportunity_asks_for_a_new_date(client, owner, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(
        status="closed", valid_until=days_from_today(-3)
    )
    client.force_login(owner)
    response = client.post(detail_url(opportunity, "opportunity_publish"), follow=True)
    opportunity.refresh_from_db()
    assert opportunity.status == "closed"
    assert "must not lie in the past" in response.content.decode()


# --- Matches on the opportunity page ----------------------------------------------------------


@pytest.mark.django_db
def test_owner_sees_ranked_matches_with_score_and_explanation(client, users, opportunity):
    # given two matches (one card per organisation), the better one first, with an explanation
    # and the organisation's best counter-opportunity
    counter = OpportunityFactory(kind="request", title="Elektrolyseur gesucht")
    MatchFactory(opportunity=opportunity, score=40)
    first = MatchFactory(
        opportunity=opportunity,
        score=82,
        target_organisation=counter.organisation,
        target_opportunity=counter,
        explanation={
            "version": 1,
            "shared": [{"slug": "h2", "name_de": "Wasserstoff", "name_en": "Hydrogen"}],
            "complementary": ["Anlagenbau"],
            "related": [],
        },
    )
    # when the owner opens the page
    login_as(client, users, "owner")
    response = client.get(detail_url(opportunity))
    # then the matches are ranked by score with the score as text and the explanation
    html = response.content.decode()
    assert [(m.rank, m.score) for m in response.context["matches"]] == [(1, 82), (2, 40)]
    assert "Rank 1:" in html
    assert "Rank 2:" in html
    assert "82 / 100" in html
    assert "Hydrogen" in html
    assert "Anlagenbau" in html
    assert first.target_organisation.name in html
    assert "Matching opportunity:" in html
    assert detail_url(counter) in html
    assert "Elektrolyseur gesucht" in html
    # and partners who do not manage it see no matches
    for actor in ["other_partner", "member"]:
        login_as(client, users, actor)
        assert "matches" not in client.get(detail_url(opportunity)).context


@pytest.mark.django_db
def test_owner_sees_the_compact_engine_rows_in_words(client, users, opportunity):
    # given an engine row as stored now (version 5: concepts by id, sentence evidence)
    battery = Competence.objects.get(slug="battery-storage")
    electrolysis = Competence.objects.get(slug="electrolysis")
    MatchFactory(
        opportunity=opportunity,
        score=70,
        explanation={
            "v": 5,
            "s": [battery.pk],
            "r": [electrolysis.pk],
            "t": ["prüfstand"],
            "e": ["Wir betreiben einen Prüfstand.", "Prüfstände sind unser Fach.", 0.91],
            "o": "profile",
            "p": 0,
            "c": ["science_industry"],
            "k": ["large_enterprise", "research_institute"],
            "x": [1.0, 0.7, 0.3, 1.0, 1.0, 1.0],
        },
    )
    login_as(client, users, "owner")
    # when the owner opens the page (in English here), then names and kinds are shown
    html = client.get(detail_url(opportunity)).content.decode()
    assert '<html lang="en">' in html
    assert "Battery storage" in html
    assert "Electrolysis" in html
    assert "Large enterprise ↔ Research institute" in html
    assert "prüfstand" in html
    assert "Closest statements" in html
    assert "“Wir betreiben einen Prüfstand.”" in html
    assert "their profile:" in html
    assert "“Prüfstände sind unser Fach.”" in html
    assert "not the kind you are looking for" in html
    assert "Weak match" not in html
    assert f">{battery.pk}<" not in html


@pytest.mark.django_db
def test_owner_sees_a_weak_match_as_weak_without_confident_reasons(client, users, opportunity):
    # given a weak engine row that still has evidence and a complementarity rule
    MatchFactory(
        opportunity=opportunity,
        score=20,
        explanation={
            "v": 5,
            "s": [],
            "r": [],
            "t": ["abwärme"],
            "e": ["Wir nutzen Abwärme.", "Abwärme fällt an.", 0.87],
            "o": "opportunity",
            "c": ["science_industry"],
            "k": ["large_enterprise", "research_institute"],
            "w": True,
            "x": [0.2, 0.1, 0.0, 0.0, 1.0, 0.0],
        },
    )
    login_as(client, users, "owner")
    html = client.get(detail_url(opportunity)).content.decode()
    # then the card says it is weak and shows the shared word, but no evidence or rule
    assert "Weak match: the texts and competences overlap only a little." in html
    assert "abwärme" in html
    assert "Closest statements" not in html
    assert "Wir nutzen Abwärme." not in html
    assert "Large enterprise ↔ Research institute" not in html
    assert "Kind of partner" not in html
    assert "No explanation available." not in html


@pytest.mark.django_db
def test_detail_query_count_for_the_owner(client, owner, opportunity, django_assert_num_queries):
    MatchFactory.create_batch(5, opportunity=opportunity)
    client.force_login(owner)
    # session, user, opportunity (+ member organisations, revealed annotation inline),
    # competences, admin organisations, matches, dismissed matches
    with django_assert_num_queries(7):
        response = client.get(detail_url(opportunity))
    assert len(response.context["matches"]) == 5
    MatchFactory.create_batch(5, opportunity=opportunity)
    with django_assert_num_queries(7):
        client.get(detail_url(opportunity))


@pytest.mark.django_db
def test_dismiss_is_remembered_and_restorable(client, users, opportunity):
    match = MatchFactory(opportunity=opportunity)
    slug = match.target_organisation.slug
    url = reverse(
        "matchmaking:match_dismiss", kwargs={"public_id": opportunity.public_id, "slug": slug}
    )
    # denied for everyone but the owner (and staff), with nothing changed
    assert statuses(client, users, "post", url, actors=ACTORS[:3]) == [302, 403, 403]
    assert MatchFeedback.objects.count() == 0
    # when the owner dismisses it
    login_as(client, users, "owner")
    assert client.post(url).status_code == 302
    # then it disappears from the suggestions and is remembered
    assert client.get(detail_url(opportunity)).context["matches"] == []
    assert MatchFeedback.objects.get().is_dismissed is True
    # and can be restored
    client.post(
        reverse(
            "matchmaking:match_restore",
            kwargs={"public_id": opportunity.public_id, "slug": slug},
        )
    )
    assert len(client.get(detail_url(opportunity)).context["matches"]) == 1


@pytest.mark.django_db
def test_outcome_is_set_by_the_partners_concerned(client, users, opportunity):
    match = MatchFactory(opportunity=opportunity)
    target_member = MembershipFactory(organisation=match.target_organisation).user
    url = reverse(
        "matchmaking:match_outcome",
        kwargs={"public_id": opportunity.public_id, "slug": match.target_organisation.slug},
    )
    assert statuses(client, users, "post", url, {"outcome": "meeting"}, ACTORS[:3]) == [
        302,
        403,
        403,
    ]
    assert MatchFeedback.objects.count() == 0
    login_as(client, users, "owner")
    client.post(url, {"outcome": "meeting"})
    assert MatchFeedback.objects.get().outcome == "meeting"
    client.force_login(target_member)
    client.post(url, {"outcome": "agreement"})
    assert MatchFeedback.objects.get().outcome == "agreement"


@pytest.mark.django_db
def test_outcome_for_an_organisation_that_is_no_suggestion_is_refused(client, owner, opportunity):
    client.force_login(owner)
    stranger = OrganisationFactory()
    url = reverse(
        "matchmaking:match_outcome",
        kwargs={"public_id": opportunity.public_id, "slug": stranger.slug},
    )
    response = client.post(url, {"outcome": "agreement"}, follow=True)
    assert "not a suggestion here" in response.content.decode()
    assert MatchFeedback.objects.count() == 0


# --- Confidential requests --------------------------------------------------------------------


@pytest.mark.django_db
def test_forwarded_confidential_request_hides_the_requester_until_revealed(
    client, staff, owner, organisation
):
    # given a confidential request
    opportunity = opportunity_of(owner, organisation, visibility="office", kind="request")
    chosen = MembershipFactory().user
    chosen_organisation = chosen.memberships.get().organisation
    client.force_login(chosen)
    assert client.get(detail_url(opportunity)).status_code == 404
    # when staff forward it to the chosen partner's organisation
    client.force_login(staff)
    response = client.post(
        detail_url(opportunity, "opportunity_forward"),
        {"organisation": chosen_organisation.slug, "note": "Passt gut zu Ihnen."},
    )
    assert response.status_code == 302
    # then the chosen partner sees it without the requester's name
    client.force_login(chosen)
    response = client.get(detail_url(opportunity))
    assert response.status_code == 200
    assert response.context["is_requester_hidden"] is True
    assert organisation.name not in response.content.decode()
    assert "Passt gut zu Ihnen." in response.content.decode()
    # and contacting it is not possible (the requester stays anonymous)
    create = reverse("matchmaking:contact_request_create")
    assert client.get(create, {"opportunity": opportunity.public_id}).status_code == 404
    # when the requester reveals their identity
    forwarding = Forwarding.objects.get()
    client.force_login(owner)
    client.post(
        reverse(
            "matchmaking:forwarding_reveal",
            kwargs={"public_id": opportunity.public_id, "pk": forwarding.pk},
        )
    )
    # then the chosen partner sees the name
    client.force_login(chosen)
    response = client.get(detail_url(opportunity))
    assert response.context["is_requester_hidden"] is False
    assert organisation.name in response.content.decode()


@pytest.mark.django_db
def test_forward_page_matrix(client, users, owner, organisation):
    opportunity = opportunity_of(owner, organisation, visibility="office")
    url = detail_url(opportunity, "opportunity_forward")
    assert statuses(client, users, "get", url) == [302, 404, 403, 403, 200]


# --- Statistics -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_statistics_for_staff_only(client, users, opportunity):
    MatchFeedback.objects.create(
        opportunity=opportunity, organisation=OrganisationFactory(), outcome="meeting"
    )
    url = reverse("matchmaking:statistics")
    assert statuses(client, users, "get", url) == [302, 403, 403, 403, 200]
    outcomes = dict(client.get(url).context["statistics"]["outcomes"])
    assert outcomes["Meeting held"] == 1
    assert outcomes["Agreement or joint project"] == 0
