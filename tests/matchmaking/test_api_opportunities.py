"""/api/v1/opportunities/ and /api/v1/opportunities/{id}/matches/: permission matrix, bad
input, hidden = missing, filters, query counts."""

import pytest

from matchmaking.models import Opportunity
from partners.models import Competence
from spinportal.models import AuditRecord
from tests.factories import CompetenceFactory, OrganisationFactory
from tests.matchmaking.factories import MatchFactory, MatchFeedbackFactory, OpportunityFactory
from tests.matchmaking.factories_pages import ACTORS, days_from_today, opportunity_of, owner_of

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_opportunities_list",
    "v1_opportunities_retrieve",
    "v1_opportunities_create",
    "v1_opportunities_partial_update",
    "v1_opportunities_destroy",
    "v1_opportunities_matches_list",
]

LIST = "/api/v1/opportunities/"


@pytest.fixture
def owner(organisation):
    return owner_of(organisation)


@pytest.fixture
def opportunity(owner, organisation):
    return opportunity_of(owner, organisation, title="Abwärme nutzen")


@pytest.fixture
def users(other_partner, org_member, owner, staff):
    return {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "owner": owner,
        "staff": staff,
    }


def statuses(api_client, users, method, url, data=None, actors=ACTORS):
    result = []
    for actor in actors:
        api_client.force_authenticate(users[actor])
        response = getattr(api_client, method)(url, data or {}, format="json")
        result.append(response.status_code)
    return result


def fresh(user):
    """The user without the permission caches of earlier requests (as in a real request)."""
    return type(user).objects.get(pk=user.pk)


def item(opportunity):
    return f"{LIST}{opportunity.public_id}/"


def payload(organisation, **overrides):
    data = {
        "organisation": organisation.slug,
        "kind": "offer",
        "title": "Prüfstand für Brennstoffzellen",
        "description": "Wir bieten Messzeit auf unserem Prüfstand.",
        "language": "de",
        "valid_until": days_from_today(90).isoformat(),
        "status": "published",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_read_matrix(api_client, users, opportunity):
    assert statuses(api_client, users, "get", LIST) == [401, 200, 200, 200, 200]
    assert statuses(api_client, users, "get", item(opportunity)) == [401, 200, 200, 200, 200]


@pytest.mark.django_db
def test_draft_is_404_for_others_as_if_missing(api_client, users, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(status="draft")
    assert statuses(api_client, users, "get", item(opportunity)) == [401, 404, 200, 200, 200]
    api_client.force_authenticate(users["other_partner"])
    hidden = api_client.get(item(opportunity)).json()
    missing = api_client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").json()
    assert hidden == missing == {"status": 404, "code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
def test_patch_matrix_and_no_change_on_denial(api_client, users, opportunity):
    data = {"title": "Gekapert"}
    assert statuses(api_client, users, "patch", item(opportunity), data, ACTORS[:3]) == [
        401,
        403,
        403,
    ]
    opportunity.refresh_from_db()
    assert opportunity.title == "Abwärme nutzen"
    assert AuditRecord.objects.count() == 0
    assert statuses(api_client, users, "patch", item(opportunity), data, ["owner", "staff"]) == [
        200,
        200,
    ]


@pytest.mark.django_db
def test_delete_matrix(api_client, users, opportunity):
    assert statuses(api_client, users, "delete", item(opportunity), actors=ACTORS[:3]) == [
        401,
        403,
        403,
    ]
    assert Opportunity.objects.count() == 1
    api_client.force_authenticate(users["owner"])
    assert api_client.delete(item(opportunity)).status_code == 204
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_create_matrix(api_client, users, organisation):
    data = payload(organisation)
    # anonymous 401, another organisation's partner and staff (no member) 403, members 201
    assert statuses(api_client, users, "post", LIST, data) == [401, 403, 201, 201, 403]
    assert Opportunity.objects.count() == 2


@pytest.mark.django_db
def test_create_returns_the_opportunity(api_client, owner, organisation):
    competence = CompetenceFactory(slug="brennstoffzelle")
    api_client.force_authenticate(owner)
    response = api_client.post(
        LIST,
        payload(organisation, competences=["brennstoffzelle"], partner_kinds=["science"]),
        format="json",
    )
    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "published"
    assert body["competences"] == [competence.slug]
    assert body["partner_kinds"] == ["science"]
    assert body["organisation"]["slug"] == organisation.slug
    assert body["is_owner"] is True
    assert Opportunity.objects.get().published_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field may not be blank."),
        ({"title": "   "}, "title", "This field may not be blank."),
        ({"title": "x" * 201}, "title", "Ensure this field has no more than 200 characters."),
        ({"description": "x" * 10001}, "description", "no more than 10000 characters"),
        ({"description": "Stahl\x00werk"}, "description", "Null characters are not allowed."),
        ({"valid_until": "2001-01-01"}, "valid_until", "must not lie in the past"),
        ({"competences": ["unbekannt"]}, "competences", "Object with slug=unbekannt does not"),
        ({"partner_kinds": ["pirates"]}, "partner_kinds.0", "is not a valid choice"),
        ({"kind": "gift"}, "kind", "is not a valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(
    api_client, owner, organisation, overrides, field, message
):
    api_client.force_authenticate(owner)
    response = api_client.post(LIST, payload(organisation, **overrides), format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert message in " ".join(body["errors"][field])
    assert Opportunity.objects.count() == 0


# --- Keywords ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_keywords_round_trips(api_client, owner, organisation):
    api_client.force_authenticate(owner)
    keywords = ["Drehrohrofen", "Abwärme", "Power-to-Heat"]
    response = api_client.post(LIST, payload(organisation, keywords=keywords), format="json")
    assert response.status_code == 201
    assert response.json()["keywords"] == keywords
    opportunity = Opportunity.objects.get()
    assert opportunity.keywords == "Drehrohrofen, Abwärme, Power-to-Heat"
    # and the list and the detail return them as they were sent
    assert api_client.get(item(opportunity)).json()["keywords"] == keywords
    assert api_client.get(LIST).json()["results"][0]["keywords"] == keywords


@pytest.mark.django_db
def test_keywords_are_cleaned_and_duplicates_dropped(api_client, owner, organisation):
    api_client.force_authenticate(owner)
    response = api_client.post(
        LIST,
        payload(
            organisation,
            keywords=["Wasser\tstoff", "\x1bWärmepumpe\x7f", "wärmepumpe", "Zeilen\numbruch"],
        ),
        format="json",
    )
    assert response.status_code == 201
    # control characters are gone (a tab or line break between words reads as a space);
    # the same keyword in another case is kept once
    assert response.json()["keywords"] == ["Wasser stoff", "Wärmepumpe", "Zeilen umbruch"]
    assert Opportunity.objects.get().keywords == "Wasser stoff, Wärmepumpe, Zeilen umbruch"


@pytest.mark.django_db
def test_keywords_default_to_none_and_patch_replaces_them(api_client, owner, organisation):
    api_client.force_authenticate(owner)
    body = api_client.post(LIST, payload(organisation), format="json").json()
    assert body["keywords"] == []
    url = f"{LIST}{body['id']}/"
    response = api_client.patch(url, {"keywords": ["Sinterofen"]}, format="json")
    assert (response.status_code, response.json()["keywords"]) == (200, ["Sinterofen"])
    # a PATCH without keywords leaves them; an empty list clears them
    assert api_client.patch(url, {"title": "Neu"}, format="json").json()["keywords"] == [
        "Sinterofen"
    ]
    assert api_client.patch(url, {"keywords": []}, format="json").json()["keywords"] == []
    assert Opportunity.objects.get().keywords == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("keywords", "errors"),
    [
        (
            [f"Wort {n}" for n in range(31)],
            {"keywords": ["Ensure this field has no more than 30 elements."]},
        ),
        # the error names the item, as for the other lists (partner_kinds.0)
        (
            ["Wärme", "x" * 61],
            {"keywords.1": ["Ensure this field has no more than 60 characters."]},
        ),
        (["Wärme, Kälte"], {"keywords": ["A keyword may not contain a comma."]}),
        ("Wärme", {"keywords": ['Expected a list of items but got type "str".']}),
    ],
    ids=["31 keywords", "61 characters", "comma", "not a list"],
)
def test_bad_keywords_are_refused_and_nothing_saved(
    api_client, owner, organisation, keywords, errors
):
    api_client.force_authenticate(owner)
    response = api_client.post(LIST, payload(organisation, keywords=keywords), format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert body["errors"] == errors
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_a_keyword_of_60_characters_is_accepted(api_client, owner, organisation):
    api_client.force_authenticate(owner)
    response = api_client.post(LIST, payload(organisation, keywords=["x" * 60]), format="json")
    assert (response.status_code, response.json()["keywords"]) == (201, ["x" * 60])


@pytest.mark.django_db
def test_thirty_keywords_of_sixty_characters_are_refused_above_500_in_all(
    api_client, owner, organisation
):
    # 30 keywords of 60 characters pass each limit but not the 500 characters of the column
    api_client.force_authenticate(owner)
    keywords = [f"{n:02d}" + "x" * 58 for n in range(30)]
    response = api_client.post(LIST, payload(organisation, keywords=keywords), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "keywords": ["The keywords may have at most 500 characters in all."]
    }
    assert Opportunity.objects.count() == 0
    # exactly 30 short ones are accepted
    keywords = [f"Wort {n}" for n in range(30)]
    response = api_client.post(LIST, payload(organisation, keywords=keywords), format="json")
    assert (response.status_code, response.json()["keywords"]) == (201, keywords)


@pytest.mark.django_db
def test_search_finds_a_word_that_is_only_in_the_keywords(api_client, owner, organisation):
    opportunity_of(owner, organisation, title="A", keywords="Drehrohrofen, Abwärme")
    opportunity_of(owner, organisation, title="B", description="Ein Sinterofen.")
    api_client.force_authenticate(owner)

    def titles(q):
        return sorted(o["title"] for o in api_client.get(LIST, {"q": q}).json()["results"])

    assert titles("drehrohr") == ["A"]
    assert titles("ofen") == ["A", "B"]
    assert titles("drehrohrofen sinter") == []


@pytest.mark.django_db
def test_create_for_a_foreign_organisation_is_403(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.post(LIST, payload(OrganisationFactory()), format="json")
    assert response.status_code == 403
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_filters(api_client, owner, organisation):
    competence = CompetenceFactory(slug="waerme")
    opportunity_of(owner, organisation, title="A", competences=[competence])
    opportunity_of(owner, organisation, title="B", kind="request")
    opportunity_of(owner, organisation, title="C", status="closed")
    api_client.force_authenticate(owner)

    def titles(**params):
        return sorted(o["title"] for o in api_client.get(LIST, params).json()["results"])

    assert titles() == ["A", "B", "C"]
    assert titles(kind="request") == ["B"]
    assert titles(competence="waerme") == ["A"]
    assert titles(status="closed") == ["C"]


@pytest.mark.django_db
def test_list_query_count(api_client, other_partner, django_assert_num_queries):
    competences = CompetenceFactory.create_batch(2)
    OpportunityFactory.create_batch(5, competences=competences)
    # memberships (with roles), count, rows (organisation joined), competences
    api_client.force_authenticate(fresh(other_partner))
    with django_assert_num_queries(4):
        response = api_client.get(LIST)
    assert response.json()["count"] == 5
    OpportunityFactory.create_batch(5, competences=competences)
    api_client.force_authenticate(fresh(other_partner))
    with django_assert_num_queries(4):
        response = api_client.get(LIST)
    assert response.json()["count"] == 10


# --- Matches ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_matches_matrix(api_client, users, opportunity):
    MatchFactory(opportunity=opportunity)
    url = f"{item(opportunity)}matches/"
    assert statuses(api_client, users, "get", url) == [401, 403, 403, 200, 200]


@pytest.mark.django_db
def test_matches_are_ranked_with_explanation_and_outcome(api_client, owner, opportunity):
    # one card per organisation, ranked by score (the rank is the position, not stored)
    second = MatchFactory(opportunity=opportunity, score=60)
    first = MatchFactory(
        opportunity=opportunity, score=91, explanation={"version": 1, "shared": ["x"]}
    )
    dismissed = MatchFactory(opportunity=opportunity, score=95)
    MatchFeedbackFactory(
        opportunity=opportunity, organisation=dismissed.target_organisation, is_dismissed=True
    )
    MatchFeedbackFactory(
        opportunity=opportunity, organisation=second.target_organisation, outcome="meeting"
    )
    api_client.force_authenticate(owner)
    body = api_client.get(f"{item(opportunity)}matches/").json()
    assert [(m["rank"], m["score"], m["outcome"]) for m in body] == [
        (1, 91, "suggested"),
        (2, 60, "meeting"),
    ]
    assert body[0]["explanation"] == {"version": 1, "shared": ["x"]}
    assert body[0]["organisation"]["slug"] == first.target_organisation.slug
    assert body[1]["organisation"]["slug"] == second.target_organisation.slug
    assert body[0]["opportunity"] is None


@pytest.mark.django_db
def test_matches_with_equal_scores_are_ordered_by_organisation(api_client, owner, opportunity):
    low, high = OrganisationFactory(), OrganisationFactory()
    assert low.pk < high.pk
    # the higher organisation id is stored first: the order does not follow the insertion
    MatchFactory(opportunity=opportunity, score=70, target_organisation=high)
    MatchFactory(opportunity=opportunity, score=70, target_organisation=low)
    MatchFactory(opportunity=opportunity, score=80)
    api_client.force_authenticate(owner)
    body = api_client.get(f"{item(opportunity)}matches/").json()
    assert [(m["rank"], m["score"]) for m in body] == [(1, 80), (2, 70), (3, 70)]
    assert [m["organisation"]["slug"] for m in body[1:]] == [low.slug, high.slug]


@pytest.mark.django_db
def test_match_names_the_best_counter_opportunity(api_client, owner, opportunity):
    target = OpportunityFactory(kind="request", title="Wir suchen Messzeit")
    MatchFactory(
        opportunity=opportunity,
        target_organisation=target.organisation,
        target_opportunity=target,
        score=80,
    )
    api_client.force_authenticate(owner)
    body = api_client.get(f"{item(opportunity)}matches/").json()
    assert body[0]["opportunity"] == {
        "id": str(target.public_id),
        "kind": "request",
        "title": "Wir suchen Messzeit",
    }
    # when the counter-opportunity is deleted, the card stays (SET_NULL) until recomputed
    target.delete()
    body = api_client.get(f"{item(opportunity)}matches/").json()
    assert (body[0]["rank"], body[0]["score"], body[0]["opportunity"]) == (1, 80, None)


@pytest.mark.django_db
def test_matches_name_the_concepts_of_all_rows_in_one_query(
    api_client, owner, opportunity, django_assert_num_queries
):
    # given two engine rows (concepts by id), the second with a concept since removed
    battery = Competence.objects.get(slug="battery-storage")
    electrolysis = Competence.objects.get(slug="electrolysis")
    for score, concepts in ((80, [battery.pk, electrolysis.pk]), (70, [999_999])):
        MatchFactory(
            opportunity=opportunity,
            score=score,
            explanation={"v": 5, "s": concepts, "r": [], "t": [], "o": "profile", "x": []},
        )
    api_client.force_authenticate(fresh(owner))
    url = f"{item(opportunity)}matches/"
    # when the owner reads them: the four queries of test_matches_query_count and one for the
    # names of all concepts in the list
    with django_assert_num_queries(5):
        body = api_client.get(url).json()
    # then the names come from the taxonomy, in both languages; a removed concept has none
    # and is left out
    assert [m["explanation"]["shared"] for m in body] == [
        [
            {"slug": "battery-storage", "de": "Batteriespeicher", "en": "Battery storage"},
            {"slug": "electrolysis", "de": "Elektrolyse", "en": "Electrolysis"},
        ],
        [],
    ]


@pytest.mark.django_db
def test_matches_expand_the_compact_engine_rows(
    api_client, owner, opportunity, django_assert_num_queries
):
    # given an engine row as the engine stores it now (version 5: concepts by id), with a
    # concept since removed from the taxonomy, sentence evidence from the counter-opportunity
    battery = Competence.objects.get(slug="battery-storage")
    grid = Competence.objects.get(slug="electrolysis")
    match = MatchFactory(
        opportunity=opportunity,
        score=77,
        explanation={
            "v": 5,
            "s": [battery.pk, 999_999],
            "r": [grid.pk],
            "t": ["prüfstand", "brennstoffzelle"],
            "e": ["Wir bieten Messzeit.", "Wir suchen Messzeit.", 0.931],
            "o": "opportunity",
            "p": 1,
            "c": ["science_industry", "small_large"],
            "k": ["sme", "university"],
            "x": [0.5, 0.707, 0.31, 1.0, 0.8, 0.25],
        },
    )
    api_client.force_authenticate(fresh(owner))
    # when the owner reads it: the four queries of test_matches_query_count and the names
    with django_assert_num_queries(5):
        body = api_client.get(f"{item(opportunity)}matches/").json()
    # then the API shows the readable shape, the score from the row
    assert body[0]["explanation"] == {
        "version": 5,
        "score": 77,
        "is_weak": False,
        "shared": [{"slug": "battery-storage", "de": "Batteriespeicher", "en": "Battery storage"}],
        "related": [{"slug": "electrolysis", "de": "Elektrolyse", "en": "Electrolysis"}],
        "terms": ["prüfstand", "brennstoffzelle"],
        "evidence": {
            "source": "Wir bieten Messzeit.",
            "target": "Wir suchen Messzeit.",
            "similarity": 0.931,
            "target_kind": "opportunity",
        },
        "partner_kind_sought": True,
        "complementary": [
            {"key": "science_industry", "from": "sme", "to": "university"},
            {"key": "small_large", "from": "sme", "to": "university"},
        ],
        "components": {
            "semantic": 0.5,
            "lexical": 0.707,
            "concept": 0.31,
            "kind": 1.0,
            "complementarity": 0.8,
            "reciprocity": 0.25,
        },
    }
    assert (body[0]["rank"], body[0]["score"]) == (1, 77)
    assert body[0]["organisation"]["slug"] == match.target_organisation.slug


@pytest.mark.django_db
def test_matches_expand_a_weak_row_without_evidence_or_sought_kinds(
    api_client, owner, opportunity, django_assert_num_queries
):
    # given a weak version 5 row without concepts, evidence, kinds sought or complementarity
    MatchFactory(
        opportunity=opportunity,
        score=20,
        explanation={
            "v": 5,
            "s": [],
            "r": [],
            "t": ["abwärme"],
            "o": "profile",
            "p": 0,
            "w": True,
            "x": [0.2, 0.1, 0.0, 0.0, 0.0, 0.0],
        },
    )
    MatchFactory(
        opportunity=opportunity,
        score=10,
        explanation={"v": 5, "s": [], "r": [], "t": [], "o": "profile", "w": True, "x": []},
    )
    api_client.force_authenticate(fresh(owner))
    # when the owner reads them: no query for names, since no row has concepts
    with django_assert_num_queries(4):
        body = api_client.get(f"{item(opportunity)}matches/").json()
    assert body[0]["explanation"] == {
        "version": 5,
        "score": 20,
        "is_weak": True,
        "shared": [],
        "related": [],
        "terms": ["abwärme"],
        "evidence": None,
        "partner_kind_sought": False,
        "complementary": [],
        "components": {
            "semantic": 0.2,
            "lexical": 0.1,
            "concept": 0.0,
            "kind": 0.0,
            "complementarity": 0.0,
            "reciprocity": 0.0,
        },
    }
    # no "p": no kind of partner was named, so neither sought nor not sought
    assert body[1]["explanation"]["partner_kind_sought"] is None
    assert body[1]["explanation"]["components"] == {}
    assert [m["rank"] for m in body] == [1, 2]


@pytest.mark.django_db
def test_matches_return_a_version_4_row_as_stored(api_client, owner, opportunity):
    # version 4 rows were deleted by the migration; one that is left is not expanded
    stored = {"v": 4, "s": [1], "r": [], "t": ["x"], "x": [0.5]}
    MatchFactory(opportunity=opportunity, score=50, explanation=stored)
    api_client.force_authenticate(owner)
    body = api_client.get(f"{item(opportunity)}matches/").json()
    assert body[0]["explanation"] == stored


@pytest.mark.django_db
def test_matches_of_hidden_opportunity_are_404(api_client, other_partner, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(status="draft")
    api_client.force_authenticate(other_partner)
    assert api_client.get(f"{item(opportunity)}matches/").status_code == 404


@pytest.mark.django_db
def test_matches_query_count(api_client, owner, opportunity, django_assert_num_queries):
    MatchFactory.create_batch(5, opportunity=opportunity)
    # memberships (with roles), opportunity, competences, matches (joined, feedback annotated)
    api_client.force_authenticate(fresh(owner))
    with django_assert_num_queries(4):
        assert len(api_client.get(f"{item(opportunity)}matches/").json()) == 5
    MatchFactory.create_batch(5, opportunity=opportunity)
    api_client.force_authenticate(fresh(owner))
    with django_assert_num_queries(4):
        assert len(api_client.get(f"{item(opportunity)}matches/").json()) == 10
