"""Search on PostgreSQL: German and English full-text search with ranking, trigram typo
tolerance through the indexes, "Did you mean …"."""

import pytest
from django.db import connection
from django.urls import reverse

from partners.models import Competence
from partners.search import TYPO_THRESHOLD, matches_sql_postgres
from partners.selectors.organisations import _visible, organisation_list
from tests.factories import OrganisationFactory
from tests.partners.factories_organisations import bulk_organisations

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster(require_postgres, db):
    wasserstoff = OrganisationFactory(
        name="Wasserstoff Institut Ruhr",
        keywords="Elektrolyseure, Brennstoffzellen",
        description_de="Wir erforschen grüne Wasserstoffwirtschaft.",
        description_en="",
    )
    speicher = OrganisationFactory(
        name="Energie Partner GmbH",
        keywords="",
        description_de="Wir bauen und betreiben große Batteriespeicher und Speichern Wärme.",
        description_en="",
    )
    speicher.competences.set([Competence.objects.get(slug="thermal-storage")])
    OrganisationFactory(name="Glas Hütte AG", description_de="Floatglas.", description_en="")
    return {"wasserstoff": wasserstoff, "speicher": speicher}


def names(**kwargs):
    return [o.name for o in organisation_list(visible_to=None, **kwargs)]


@pytest.mark.django_db
def test_trigram_extension_and_indexes_exist(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'partners_org_%%_trgm' "
            "ORDER BY indexname"
        )
        assert cursor.fetchall() == [("partners_org_keywords_trgm",), ("partners_org_name_trgm",)]


@pytest.mark.django_db
def test_german_stemming_finds_inflected_words(cluster):
    # the genitive "Speichers" and the verb "Speichern" share the stem "speich"
    assert names(search="Speichers") == ["Energie Partner GmbH"]


@pytest.mark.django_db
def test_typo_in_name_is_tolerated(cluster):
    assert names(search="Wasserstof") == ["Wasserstoff Institut Ruhr"]
    assert names(search="Wassertsoff") == ["Wasserstoff Institut Ruhr"]
    assert names(search="Elektrolyseur") == ["Wasserstoff Institut Ruhr"]  # keyword, stemmed


@pytest.mark.django_db
def test_competence_synonym_matches(cluster):
    assert names(search="Latentwärmespeicher") == ["Energie Partner GmbH"]


@pytest.mark.django_db
def test_name_match_ranks_above_description_match(cluster):
    OrganisationFactory(
        name="Zentrum Süd",
        description_de="Ein Zentrum, das auch Wasserstoff nutzt.",
        description_en="",
    )
    assert names(search="wasserstoff") == ["Wasserstoff Institut Ruhr", "Zentrum Süd"]


@pytest.mark.django_db
def test_no_match(cluster):
    assert names(search="Quantencomputer") == []


@pytest.mark.django_db
def test_every_connection_sets_the_typo_threshold(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert cursor.fetchone() == (str(TYPO_THRESHOLD),)


@pytest.mark.django_db
def test_english_words_are_stemmed_as_english(cluster):
    OrganisationFactory(
        name="Kreislauf Labor",
        description_de="",
        description_en="We carry out life-cycle assessments of cement plants.",
    )
    assert names(search="assessment") == ["Kreislauf Labor"]
    assert names(search="cement plant") == ["Kreislauf Labor"]


GIN_INDEXES = ["partners_org_search_vector", "partners_org_name_trgm", "partners_org_keywords_trgm"]


def _plan(sql: str, params: list) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Frauenhofer", "Wasserstoff Elektrolyse"])
def test_search_plan_uses_the_indexes(cluster, text):
    # given a directory the size of a real cluster's, with fresh statistics
    bulk_organisations(10000)
    with connection.cursor() as cursor:
        # what autovacuum does after a bulk insert: merge the GIN indexes' pending lists (which
        # make index scans look costly) and count the rows
        for index in GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE")
    # when the matches of a text are found
    nodes = list(_nodes(_plan(*matches_sql_postgres(_visible(None), text))))
    # then each branch is answered by its index, and no branch reads the whole table
    used = {node.get("Index Name") for node in nodes} - {None}
    print([(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes])

    assert {
        "partners_org_search_vector",
        "partners_org_name_trgm",
        "partners_org_keywords_trgm",
    } <= used
    # (the competence branch may hash the organisations when a competence matches most of
    # them; no scan evaluates the text conditions row by row)
    assert not [
        node
        for node in nodes
        if node["Node Type"] == "Seq Scan"
        and any(operator in node.get("Filter", "") for operator in ("@@", "%>", "word_similarity"))
    ]


@pytest.mark.django_db
def test_did_you_mean_offers_the_nearest_name(client, cluster):
    OrganisationFactory(name="Fraunhofer UMSICHT", description_de="", description_en="")
    response = client.get(reverse("organisations:directory"), {"q": "Frauenhofer"})
    assert response.status_code == 200
    assert response.context["suggestion"] == "Fraunhofer"
    assert [o.name for o in response.context["page"]] == ["Fraunhofer UMSICHT"]
    # a correct spelling gets no suggestion
    response = client.get(reverse("organisations:directory"), {"q": "Fraunhofer"})
    assert response.context["suggestion"] == ""
