"""The "matches for you" partial and its selector, the blocks page, and the admin lists of
every matchmaking model."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from matchmaking.selectors import explanation_summary, matches_for_user
from tests.factories import MembershipFactory, StaffFactory
from tests.matchmaking.factories import MatchFactory, MatchFeedbackFactory, OpportunityFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


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


MATCHMAKING_MODELS = list(apps.get_app_config("matchmaking").get_models())


def test_every_matchmaking_model_is_registered_in_the_admin():
    assert [m for m in MATCHMAKING_MODELS if m not in admin.site._registry] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", MATCHMAKING_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelists_load_with_search(client, model):
    # given one row of each kind, so that the list columns render
    MatchFactory()
    superuser = StaffFactory(is_superuser=True)
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) >= 2
    assert model_admin.search_fields
    client.force_login(superuser)
    url = reverse(f"admin:matchmaking_{model._meta.model_name}_changelist")
    assert client.get(url, {"q": "test"}).status_code == 200
    assert client.get(url).status_code == 200


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
    }


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
