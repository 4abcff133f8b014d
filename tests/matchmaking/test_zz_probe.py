import io
import pytest
from django.core.management import call_command
from matchmaking import engine
from matchmaking.models import Match, MatchingProfile, Embedding
from partners.models import Competence
from tests.factories import OrganisationFactory
from tests.matchmaking.factories import MatchFactory, OpportunityFactory, RequestOpportunityFactory


def test_probe(db):
    engine.reset_index()
    storage = list(Competence.objects.filter(slug="battery-storage"))
    expert = OrganisationFactory(kind="research_institute")
    expert.competences.set(storage)
    request = RequestOpportunityFactory(competences=storage)
    offer = OpportunityFactory(competences=storage)
    closed = OpportunityFactory(competences=storage, status="closed")
    MatchFactory(opportunity=closed)
    err = io.StringIO(); out = io.StringIO()
    call_command("recompute_matches", stdout=out, stderr=err)
    print(repr(out.getvalue()), repr(err.getvalue()))
    from tests.factories import Organisation
    print("orgs", list(Organisation.objects.values_list("pk","kind")))
    print("expert", expert.pk, "offer org", offer.organisation_id, "req org", request.organisation_id, "closed org", closed.organisation_id)
    for m in Match.objects.order_by("opportunity", "-score", "target_organisation"):
        print(m.opportunity_id, m.target_organisation_id, m.target_opportunity_id, m.score, m.explanation)
    print("profiles", MatchingProfile.objects.count(), "emb", Embedding.objects.count())
    print(list(MatchingProfile.objects.values_list("organisation_id","opportunity_id","is_active")))
    engine.reset_index()
