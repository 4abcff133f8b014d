"""The "matches for you" partial and its selector, the blocks page, and the admin lists of
every matchmaking model."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from matchmaking.models import Embedding, MatchingProfile
from matchmaking.selectors import explanation_summary, matches_for_user
from tests.factories import MembershipFactory, StaffFactory
from tests.matchmaking.factories import MatchFactory, MatchFeedbackFactory, OpportunityFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.django_db
def test_matches_for_user_lists_others_current_opportunities_best_first(
    django_assert_num_queries,
):
    # given a partner whose organisation the engine suggested for several opportunities
    partner = MembershipFactory().user
    organisation = partner.memberships.get().organisation
    good = MatchFactory(target_organisation=organisation, score=90)
    fair = MatchFactory(target_organisation=organisation, score=55)
    MatchFactory(target_organisation=organisation, opportunity__status="draft", score=99)
    MatchFactory(target_organisation=organisation, opportunity__visibility="office", score=98)
    own = OpportunityFactory(organisation=organisation)
    MatchFactory(target_organisation=organisation, opportunity=own, score=97)
    dismissed = MatchFactory(target_organisation=organisation, score=96)
    MatchFeedbackFactory(
        opportunity=dismissed.opportunity, organisation=organisation, is_dismissed=True
    )
    MatchFactory(score=95)  # for another organisation
    partner = type(partner).objects.get(pk=partner.pk)
    # when the selector runs: memberships, active organisations, matches
    with django_assert_num_queries(3):
        matches = matches_for_user(user=partner, limit=5)
    # then only current, visible, foreign, not dismissed suggestions, best first
    assert [m.pk for m in matches] == [good.pk, fair.pk]
    assert matches_for_user(user=partner, limit=1) == [good]


@pytest.mark.django_db
def test_matches_for_user_is_empty_without_organisation(user):
    assert matches_for_user(user=user) == []


@pytest.mark.django_db
def test_matches_for_you_partial_renders_scores_as_text():
    partner = MembershipFactory().user
    match = MatchFactory(
        target_organisation=partner.memberships.get().organisation,
        score=82,
        opportunity__title="Wärmespeicher gesucht",
    )
    request = RequestFactory().get("/")
    request.user = partner
    html = render_to_string(
        "matchmaking/includes/matches_for_you.html",
        {"matches": matches_for_user(user=partner)},
        request=request,
    )
    assert "Wärmespeicher gesucht" in html
    assert "82 / 100" in html
    assert str(match.opportunity.public_id) in html


def test_explanation_summary_is_defensive():
    assert explanation_summary(None) == {
        "shared": [],
        "complementary": [],
        "related": [],
        "terms": [],
        "is_weak": False,
        "evidence": None,
        "partner_kind_sought": None,
    }
    summary = explanation_summary(
        {"shared": [{"name_en": "Hydrogen", "name_de": "Wasserstoff"}, "Stahl", None, 3]}
    )
    assert summary["shared"] == ["Hydrogen", "Stahl", "3"]


def test_explanation_summary_shows_a_pair_of_kinds_once():
    rules = [
        {"key": "science_industry", "from": "university", "to": "sme"},
        {"key": "small_large", "from": "university", "to": "sme"},
        {"key": "supplier_user", "from": "university", "to": "large_enterprise"},
    ]
    with translation.override("en"):
        summary = explanation_summary({"version": 4, "complementary": rules})
    assert summary["complementary"] == ["University ↔ SME", "University ↔ Large enterprise"]


@pytest.mark.django_db
def test_blocks_page_needs_login(client, user):
    url = reverse("matchmaking:block_list")
    assert client.get(url).status_code == 302
    client.force_login(user)
    assert client.get(url).status_code == 200


# Models deliberately not in the admin, with the reason.
NOT_IN_ADMIN = {
    # a cache of binary vectors keyed by a content hash: nothing for staff to read or change
    # (MatchingProfile shows which profiles have no embedding, and why)
    Embedding: "cache of binary vectors",
}
MATCHMAKING_MODELS = [
    m for m in apps.get_app_config("matchmaking").get_models() if m not in NOT_IN_ADMIN
]


def test_every_matchmaking_model_is_registered_in_the_admin():
    assert [m for m in MATCHMAKING_MODELS if m not in admin.site._registry] == []
    assert [m for m in NOT_IN_ADMIN if m in admin.site._registry] == []


def _matching_profile():
    opportunity = OpportunityFactory(title="Test-Prüfstand")
    return MatchingProfile.objects.create(
        organisation=opportunity.organisation,
        opportunity=opportunity,
        kind=opportunity.kind,
        language="de",
        text="Test-Prüfstand. Beschreibung der Kooperation.",
        organisation_kind=opportunity.organisation.kind,
        error="test: embedder unreachable",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", MATCHMAKING_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelists_load_with_search(client, model):
    # given one row of each kind, so that the list columns render
    MatchFactory()
    _matching_profile()
    superuser = StaffFactory(is_superuser=True)
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) >= 2
    assert model_admin.search_fields
    client.force_login(superuser)
    url = reverse(f"admin:matchmaking_{model._meta.model_name}_changelist")
    assert client.get(url, {"q": "test"}).status_code == 200
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_matching_profiles_are_read_only_in_the_admin(client):
    profile = _matching_profile()
    client.force_login(StaffFactory(is_superuser=True))
    changelist = reverse("admin:matchmaking_matchingprofile_changelist")
    # the list finds the failed profile by its error and filters by it
    response = client.get(changelist, {"q": "unreachable"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [profile]
    assert list(client.get(changelist, {"embedding": "error"}).context["cl"].result_list) == [
        profile
    ]
    assert list(client.get(changelist, {"embedding": "missing"}).context["cl"].result_list) == [
        profile
    ]
    # no add; the change form shows every field read-only and a POST changes nothing
    assert client.get(reverse("admin:matchmaking_matchingprofile_add")).status_code == 403
    change = reverse("admin:matchmaking_matchingprofile_change", args=[profile.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    client.post(change, {"text": "Geändert", "error": "", "is_active": ""})
    profile.refresh_from_db()
    assert (profile.text, profile.error, profile.is_active) == (
        "Test-Prüfstand. Beschreibung der Kooperation.",
        "test: embedder unreachable",
        True,
    )


@pytest.mark.django_db
def test_embeddings_have_no_admin_pages(client):
    client.force_login(StaffFactory(is_superuser=True))
    assert client.get("/admin/matchmaking/").status_code == 200
    assert "embedding" not in [
        m["object_name"].lower()
        for m in client.get("/admin/matchmaking/").context["app_list"][0]["models"]
    ]


def test_explanation_summary_reads_the_engines_version_1(settings):
    settings.LANGUAGE_CODE = "en"
    summary = explanation_summary(
        {
            "version": 1,
            "shared": [{"slug": "battery", "de": "Batteriespeicher", "en": "Battery storage"}],
            "complementary": [
                {"key": "science_industry", "from": "large_enterprise", "to": "university"}
            ],
            "related": [{"slug": "x", "de": "Isolationsprüfung", "en": "Insulation testing"}],
            "terms": ["Prüfstand"],
        }
    )
    assert summary == {
        "shared": ["Battery storage"],
        "complementary": ["Large enterprise ↔ University"],
        "related": ["Insulation testing"],
        "terms": ["Prüfstand"],
        "is_weak": False,
        "evidence": None,
        "partner_kind_sought": None,
    }


EVIDENCE = {
    "source": "Wir bieten Messzeit.",
    "target": "Wir suchen Messzeit.",
    "similarity": 0.93,
    "target_kind": "opportunity",
}


def test_explanation_summary_reads_the_engines_version_5():
    rules = [{"key": "science_industry", "from": "large_enterprise", "to": "university"}]
    with translation.override("en"):
        summary = explanation_summary(
            {
                "version": 5,
                "score": 80,
                "is_weak": False,
                "shared": [{"slug": "battery", "de": "Batteriespeicher", "en": "Battery storage"}],
                "related": [],
                "terms": ["prüfstand"],
                "evidence": EVIDENCE,
                "partner_kind_sought": False,
                "complementary": rules,
                "components": {"semantic": 0.8},
            }
        )
    assert summary == {
        "shared": ["Battery storage"],
        "complementary": ["Large enterprise ↔ University"],
        "related": [],
        "terms": ["prüfstand"],
        "is_weak": False,
        "evidence": EVIDENCE,
        "partner_kind_sought": False,
    }


def test_explanation_summary_of_a_weak_match_gives_no_confident_reason():
    rules = [{"key": "science_industry", "from": "large_enterprise", "to": "university"}]
    summary = explanation_summary(
        {
            "version": 5,
            "is_weak": True,
            "shared": [],
            "related": [],
            "terms": ["abwärme"],
            "evidence": EVIDENCE,
            "partner_kind_sought": True,
            "complementary": rules,
        }
    )
    # the weak card keeps what it has in common, but neither evidence nor complementarity
    assert summary == {
        "shared": [],
        "complementary": [],
        "related": [],
        "terms": ["abwärme"],
        "is_weak": True,
        "evidence": None,
        "partner_kind_sought": True,
    }


def test_explanation_template_shows_evidence_and_the_kind_of_partner():
    with translation.override("en"):
        html = render_to_string(
            "matchmaking/includes/explanation.html",
            {
                "summary": explanation_summary(
                    {"version": 5, "evidence": EVIDENCE, "partner_kind_sought": True}
                )
            },
        )
    assert "Closest statements" in html
    assert "“Wir bieten Messzeit.”" in html
    assert "their opportunity:" in html
    assert "“Wir suchen Messzeit.”" in html
    assert "the kind you are looking for" in html
    assert "not the kind" not in html
    assert "Weak match" not in html
    assert "No explanation available." not in html


def test_explanation_template_of_a_weak_match_without_reasons():
    with translation.override("en"):
        weak = render_to_string(
            "matchmaking/includes/explanation.html",
            {"summary": explanation_summary({"version": 5, "is_weak": True, "evidence": EVIDENCE})},
        )
        empty = render_to_string(
            "matchmaking/includes/explanation.html",
            {"summary": explanation_summary({"version": 5, "partner_kind_sought": None})},
        )
        profile = render_to_string(
            "matchmaking/includes/explanation.html",
            {
                "summary": explanation_summary(
                    {
                        "version": 5,
                        "evidence": {**EVIDENCE, "target_kind": "profile"},
                        "partner_kind_sought": False,
                    }
                )
            },
        )
    assert "Weak match: the texts and competences overlap only a little." in weak
    assert "Closest statements" not in weak
    assert "No explanation available." not in weak
    assert "No explanation available." in empty
    assert "Kind of partner" not in empty
    assert "their profile:" in profile
    assert "not the kind you are looking for" in profile


@pytest.mark.django_db
def test_matches_for_you_page(client, user, django_assert_num_queries):
    url = reverse("matchmaking:matches_for_you")
    assert client.get(url).status_code == 302
    partner = MembershipFactory().user
    MatchFactory.create_batch(3, target_organisation=partner.memberships.get().organisation)
    client.force_login(partner)
    # session, user, memberships, active organisations, matches
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["matches"]) == 3
