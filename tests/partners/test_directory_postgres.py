"""Search on PostgreSQL: German full-text search with ranking and trigram typo tolerance."""

import pytest
from django.db import connection

from partners.models import Competence
from partners.selectors.organisations import organisation_list
from tests.factories import OrganisationFactory

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
