"""The engine against the database: exclusions, stored ranks and scores, incremental updates."""

import datetime as dt
import json
import multiprocessing.pool
import os

import numpy as np
import pytest
from django.utils import timezone

from matchmaking import engine, evaluation, scoring
from matchmaking.engine import batch, profiles
from matchmaking.models import ContactRequest, Match, Opportunity
from matchmaking.scheduling import schedule_opportunity_matching, schedule_organisation_matching
from matchmaking.selectors import labelled_explanations
from partners.models import Competence, Organisation
from tests.factories import OrganisationFactory
from tests.matchmaking.evaluation_set import OPPORTUNITIES as EVALUATION_OPPORTUNITIES
from tests.matchmaking.evaluation_set import ORGANISATIONS
from tests.matchmaking.factories import (
    ContactRequestFactory,
    MatchFeedbackFactory,
    OpportunityFactory,
    RequestOpportunityFactory,
)


@pytest.fixture(autouse=True)
def _fresh_index():
    engine.reset_index()
    yield
    engine.reset_index()


def concepts(*slugs):
    return list(Competence.objects.filter(slug__in=slugs))


def organisation(name, kind="sme", slugs=(), status="active", **fields):
    org = OrganisationFactory(
        name=name,
        kind=kind,
        status=status,
        rejection_reason="spam" if status == "rejected" else "",
        description_de=fields.pop("description_de", ""),
        description_en=fields.pop("description_en", ""),
        **fields,
    )
    org.competences.set(concepts(*slugs))
    return org


@pytest.fixture
def cluster(db):
    owner = organisation("Stahlwerk", "large_enterprise", ["process-heat"])
    return {
        "owner": owner,
        "institute": organisation(
            "HV-Institut",
            "research_institute",
            ["battery-storage", "high-voltage-engineering"],
            description_de="Prüfstände für Batteriespeicher und Isolationsprüfung.",
        ),
        "tester": organisation(
            "Prüflabor", "sme", ["insulation-testing"], description_de="Isolationsprüfung."
        ),
        "bakery": organisation("Bäckerei", "sme", ["circular-economy"]),
        "opportunity": RequestOpportunityFactory(
            organisation=owner,
            title="Batteriespeicher für Hochspannung gesucht",
            description="Wir suchen Partner für Batteriespeicher und Hochspannungstechnik.",
            competences=concepts("battery-storage", "high-voltage-engineering"),
        ),
    }


def stored(opportunity):
    return list(
        Match.objects.filter(opportunity=opportunity)
        .order_by("target_opportunity_id", "rank")
        .values_list("target_organisation__name", "target_opportunity__title", "rank", "score")
    )


def test_stores_ranked_organisations_with_exact_scores_and_explanation(
    cluster, django_assert_num_queries
):
    # when
    engine.update_opportunity(cluster["opportunity"].pk)
    # then: the bakery shares nothing and is not stored; the owner is never suggested
    assert stored(cluster["opportunity"]) == [
        ("HV-Institut", None, 1, 92),
        ("Prüflabor", None, 2, 27),
    ]
    match = Match.objects.get(target_organisation=cluster["institute"])
    explanation = match.explanation
    competence = {c.slug: c.pk for c in Competence.objects.all()}
    # stored compact (version 4): concepts by id, rules with the two kinds, components
    assert explanation == {
        "v": 4,
        "s": [competence["battery-storage"], competence["high-voltage-engineering"]],
        "r": [competence["insulation-testing"]],
        "c": ["science_industry"],
        "k": ["large_enterprise", "research_institute"],
        # the one word both texts share (für, und are stop words)
        "t": ["Batteriespeicher"],
        # forward, backward, text, complementarity, partner kind, responsiveness
        "x": [1.0, 1.0, 0.347, 1.0, 1.0, 1.0],
    }
    related = Match.objects.get(target_organisation=cluster["tester"]).explanation["r"]
    assert related == [competence["insulation-testing"]]
    # and shown with the names of the concepts (one query for the list)
    with django_assert_num_queries(1):
        (labelled,) = labelled_explanations([explanation], [match.score])
    assert labelled["version"] == 4
    assert labelled["score"] == match.score == 92
    assert labelled["shared"] == [
        {"slug": "battery-storage", "de": "Batteriespeicher", "en": "Battery storage"},
        {
            "slug": "high-voltage-engineering",
            "de": "Hochspannungstechnik",
            "en": "High-voltage engineering",
        },
    ]
    assert labelled["complementary"] == [
        {"key": "science_industry", "from": "large_enterprise", "to": "research_institute"}
    ]
    assert labelled["terms"] == explanation["t"]
    assert labelled["components"] == dict(
        zip(scoring.COMPONENT_NAMES, explanation["x"], strict=True)
    )
    (tester,) = labelled_explanations(
        [Match.objects.get(target_organisation=cluster["tester"]).explanation]
    )
    assert tester["related"] == [
        {"slug": "insulation-testing", "de": "Isolationsprüfung", "en": "Insulation testing"}
    ]
    assert engine.explanation_sentence(labelled, "en") == (
        "Shared: Battery storage, High-voltage engineering; "
        "complementary: Large enterprise ↔ Research institute; also relevant: Insulation testing."
    )
    assert engine.explanation_sentence(labelled, "de") == (
        "Gemeinsam: Batteriespeicher, Hochspannungstechnik; "
        "ergänzend: Großunternehmen ↔ Forschungsinstitut; ebenfalls relevant: Isolationsprüfung."
    )


def test_counter_opportunities_of_the_opposite_kind_are_ranked(cluster):
    offer = OpportunityFactory(
        organisation=cluster["institute"],
        title="Hochvolt-Prüfstand",
        description="Wir bieten Prüfungen von Batteriespeichern.",
        competences=concepts("battery-storage"),
    )
    RequestOpportunityFactory(  # same kind as the opportunity: never a counterpart
        organisation=cluster["tester"], competences=concepts("battery-storage")
    )
    engine.update_opportunity(cluster["opportunity"].pk)
    rows = Match.objects.filter(
        opportunity=cluster["opportunity"], target_opportunity__isnull=False
    )
    assert list(rows.values_list("target_opportunity", "rank", "score")) == [(offer.pk, 1, 59)]


@pytest.mark.parametrize(
    "exclusion",
    ["inactive", "pending", "closed", "expired", "contacted", "dismissed"],
)
def test_exclusions(cluster, exclusion):
    institute = cluster["institute"]
    offer = OpportunityFactory(organisation=institute, competences=concepts("battery-storage"))
    source = cluster["opportunity"]
    if exclusion in ("inactive", "pending"):
        Organisation.objects.filter(pk=institute.pk).update(status=exclusion)
    elif exclusion == "closed":
        Opportunity.objects.filter(pk=offer.pk).update(status="closed")
    elif exclusion == "expired":
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Opportunity.objects.filter(pk=offer.pk).update(valid_until=yesterday)
    elif exclusion == "contacted":
        ContactRequestFactory(
            opportunity=source,
            sender_organisation=institute,
            receiver_organisation=cluster["owner"],
            status=ContactRequest.Status.DECLINED,
        )
    else:
        MatchFeedbackFactory(opportunity=source, organisation=institute, is_dismissed=True)

    engine.update_opportunity(source.pk)

    matched = set(
        Match.objects.filter(opportunity=source).values_list("target_organisation", flat=True)
    )
    assert offer.pk not in set(
        Match.objects.filter(opportunity=source).values_list("target_opportunity", flat=True)
    )
    if exclusion in ("closed", "expired"):
        assert institute.pk in matched
    else:
        assert institute.pk not in matched
    assert cluster["owner"].pk not in matched


def test_closed_opportunity_has_no_matches(cluster):
    engine.update_opportunity(cluster["opportunity"].pk)
    Opportunity.objects.filter(pk=cluster["opportunity"].pk).update(status="closed")
    engine.update_opportunity(cluster["opportunity"].pk)
    assert Match.objects.filter(opportunity=cluster["opportunity"]).count() == 0


def test_unanswered_requests_lower_the_score_mildly(cluster):
    # 92 without; three expired requests: 1 − 0.2 · 3/5 = 0.88
    for _ in range(3):
        ContactRequestFactory(
            sender_organisation=cluster["bakery"],
            receiver_organisation=cluster["institute"],
            status=ContactRequest.Status.EXPIRED,
        )
    engine.update_opportunity(cluster["opportunity"].pk)
    assert Match.objects.get(target_organisation=cluster["institute"]).score == 81


def test_incremental_update_after_an_edit(cluster):
    # given matches computed with the current index
    source = cluster["opportunity"]
    engine.update_opportunity(source.pk)
    # when the opportunity now asks for insulation testing only
    source.competences.set(concepts("insulation-testing"))
    source.description = "Isolationsprüfung gesucht."
    source.title = "Isolationsprüfung"
    source.save()
    engine.update_opportunity(source.pk)
    # then the testing lab leads
    assert stored(source) == [("Prüflabor", None, 1, 94), ("HV-Institut", None, 2, 78)]


def test_reverse_update_puts_a_new_offer_into_the_request_list(cluster):
    engine.update_opportunity(cluster["opportunity"].pk)
    offer = OpportunityFactory(
        organisation=cluster["institute"],
        title="Batteriespeicher",
        competences=concepts("battery-storage", "high-voltage-engineering"),
    )
    engine.update_opportunity(offer.pk)
    assert list(
        Match.objects.filter(
            opportunity=cluster["opportunity"], target_opportunity=offer
        ).values_list("rank", "score")
    ) == [(1, 100)]


def test_task_runs_on_commit(cluster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_opportunity_matching(cluster["opportunity"].pk)
        assert Match.objects.count() == 0
    assert len(callbacks) == 1
    assert Match.objects.filter(opportunity=cluster["opportunity"]).count() == 2


def test_organisation_task_updates_lists_after_a_competence_change(
    cluster, django_capture_on_commit_callbacks
):
    engine.update_opportunity(cluster["opportunity"].pk)
    bakery = cluster["bakery"]
    bakery.competences.set(concepts("battery-storage", "high-voltage-engineering"))
    with django_capture_on_commit_callbacks(execute=True):
        schedule_organisation_matching(bakery.pk)
    assert Match.objects.filter(opportunity=cluster["opportunity"]).count() == 3
    assert Match.objects.get(target_organisation=bakery).score == 69


def test_queries_for_one_update_are_bounded(cluster, django_assert_max_num_queries):
    engine.get_index()
    with django_assert_max_num_queries(30):
        engine.update_opportunity(cluster["opportunity"].pk)


def test_rebuild_scorer_stores_what_the_per_pair_path_stores(db):
    # given the labelled evaluation set as an index (42 opportunities, 26 organisations)
    index, _org_keys, _concept_id = evaluation._index(ORGANISATIONS, EVALUATION_OPPORTUNITIES)
    sources = list(index.opportunity_profiles.values())
    # when both paths compute every opportunity's matches
    per_pair = engine.compute_matches(index, sources, 0)
    candidates = batch.Candidates(index, 0)
    rows = []
    for start in range(0, len(sources), 16):
        block = sources[start : start + 16]
        rows += batch.compute_rows(candidates, block, [set()] * len(block))

    # then the rows, ranks, scores and explanations are the same
    def key(row):
        return (row.opportunity_id, row.target_opportunity_id or 0, row.target_organisation_id)

    expected = {key(m): (m.score, m.rank, m.explanation) for m in per_pair}
    assert len(rows) == len(per_pair) == 600
    assert {key(r): (r.score, r.rank, json.loads(r.explanation)) for r in rows} == expected


def test_score_tile_is_the_formula_of_numpys_passes_bit_for_bit():
    """The prefilter's compiled loop (kernels.score_tile) must compute, in float32, what the
    numpy passes it replaced computed, and the maximum of each chunk of a row."""
    from matchmaking.engine.kernels import score_tile

    rng = np.random.default_rng(11)
    rows, width, n, chunk, start = 7, 150, 400, 64, 123

    def sparse_values(scale):
        values = rng.random((rows, width)).astype(np.float32) * np.float32(scale)
        return values * (rng.random((rows, width)) < 0.6)

    forward, backward, text = sparse_values(0.8), sparse_values(0.9), sparse_values(0.4)
    complements = (rng.random((3, n)) * 0.15 + 1e-30).astype(np.float32)
    factors = (rng.random((2, n)) * 2).astype(np.float32)
    complement_of, factor_of = rng.integers(0, 3, rows), rng.integers(0, 2, rows)
    scores = np.full((rows, width + 20), -1.0, dtype=np.float32)
    maxima = np.full((rows, 5), -1.0, dtype=np.float32)

    # written from column 10 of the scores and from column 1 of the maxima on
    score_tile(
        forward, backward, text, width, complements, complement_of, factors, factor_of, start,
        scores, 10, maxima, 1, chunk,
    )  # fmt: skip
    out = scores[:, 10 : 10 + width]

    # the passes of the numpy version, in their order
    f, b, t = forward.copy(), backward.copy(), text.copy()
    overlap = f + b
    overlap += t
    np.minimum(b, 0.6, out=b)
    np.minimum(t, 0.25, out=t)
    t += complements[complement_of, start : start + width]
    f += t
    b += t
    expected = f * b
    f += b
    expected /= f
    expected *= factors[factor_of, start : start + width]
    expected *= overlap > 0
    assert out.dtype == np.float32
    assert np.array_equal(out, expected)
    assert (scores[:, :10] == -1).all()
    assert (scores[:, 10 + width :] == -1).all()
    assert (out == 0).sum() == ((forward + backward + text) == 0).sum() > 0
    # chunks of 64, 64 and 22 columns
    assert np.array_equal(maxima[:, 0], np.full(rows, -1.0, dtype=np.float32))
    for k, (low, high) in enumerate([(0, 64), (64, 128), (128, 150)], start=1):
        assert np.array_equal(maxima[:, k], expected[:, low:high].max(axis=1))
    assert np.array_equal(maxima[:, 4], np.full(rows, -1.0, dtype=np.float32))


@pytest.mark.parametrize("concepts", [30, 600])  # two slots per table entry, then one
def test_explanation_concept_lists_are_the_ids_of_the_present_slots(concepts):
    candidates = batch.Candidates.__new__(batch.Candidates)
    candidates.concept_ids = np.arange(1000, 1000 + concepts)
    candidates._concept_pairs = None
    rng = np.random.default_rng(3)
    order = np.stack([rng.permutation(concepts)[:5] for _ in range(200)])
    present = rng.integers(0, 6, 200)  # how many of the five slots hold a concept
    ok = np.arange(5) < present[:, None]

    texts = batch._concept_lists(candidates, order, ok).tolist()

    expected = [
        ",".join(str(1000 + column) for column in row[:n])
        for row, n in zip(order, present, strict=True)
    ]
    assert texts == expected
    assert texts.count("") == (present == 0).sum() > 0
    assert candidates.concept_pair_texts()[2] == (2 if concepts == 30 else 1)


def test_prefilter_zeroes_excluded_organisations_and_their_chunk_maxima(db, monkeypatch):
    # given the evaluation set's index, scored in tiles of 32 candidates and chunks of 8
    monkeypatch.setattr(batch, "TILE", 32)
    monkeypatch.setattr(batch, "CHUNK", 8)
    index, _org_keys, _concept_id = evaluation._index(ORGANISATIONS, EVALUATION_OPPORTUNITIES)
    candidates = batch.Candidates(index, 0)
    offers = [p for p in index.opportunity_profiles.values() if p.kind == "offer"]
    organisation_ids = sorted(set(candidates.organisation_ids.tolist()))
    excluded = [set(organisation_ids[i % 5 :: 7]) for i in range(len(offers))]
    # when the offers are prefiltered with those exclusions
    scores, _rows, columns, (maxima, starts, stops) = batch.prefilter(candidates, offers, excluded)
    # then every candidate of an excluded organisation (or the offer's own) scores 0
    owners = candidates.organisation_ids[columns]
    assert len(offers) == 17  # the evaluation set's offers
    for i, offer in enumerate(offers):
        hidden = np.isin(owners, [offer.organisation_id, *excluded[i]])
        assert hidden.any()
        assert not scores[i, hidden].any()
        assert scores[i, ~hidden].any()
    # and each chunk's maximum is that of its scores after the exclusions
    # (chunks of at most 8 that end where a tile or a run of columns ends)
    assert (starts[0], stops[-1], (stops - starts).max()) == (0, len(columns), 8)
    assert np.array_equal(starts[1:], stops[:-1])
    assert len(starts) > 4
    expected = np.stack([scores[:, a:z].max(axis=1) for a, z in zip(starts, stops, strict=True)])
    assert np.array_equal(maxima, expected.T)


def test_web_processes_and_workers_do_not_load_numba():
    """numba (about 60 MiB per process) is loaded by a full rebuild only (kernels.py)."""
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup(); import matchmaking.engine, matchmaking.tasks, "
        "spinportal.urls, spinportal.celery; print('numba' in sys.modules)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "spinportal.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    assert result.stdout.strip() == "False"


def test_rows_as_copy_text_and_as_row_objects():
    from numpy.dtypes import StringDType

    explanations = ['{"v":4,"t":["Wärme"]}', '{"t":["a\\\\b"]}', "{}"]  # 2nd: a JSON \\
    rows = batch.Rows(
        np.array([7, 7, 9]),
        np.array([0, 12, 0]),
        np.array([3, 4, 5]),
        np.array([88, 61, 5]),
        np.array([1, 1, 20]),
        np.array(explanations, dtype=StringDType()),
    )
    joined = batch.Rows.joined([rows, batch.Rows.joined([])])
    assert len(joined) == 3
    assert joined.copy_text() == (
        '7\t\\N\t3\t88\t1\t{"v":4,"t":["Wärme"]}\n'
        '7\t12\t4\t61\t1\t{"t":["a\\\\\\\\b"]}\n'
        "9\t\\N\t5\t5\t20\t{}\n"
    )
    assert joined.as_rows() == [
        batch.Row(7, None, 3, 88, 1, explanations[0]),
        batch.Row(7, 12, 4, 61, 1, explanations[1]),
        batch.Row(9, None, 5, 5, 20, explanations[2]),
    ]
    assert batch.Rows.joined([]).copy_text() == ""
    ended = joined.copy_text(end="\t2026-11-25T05:00:00+00:00")
    assert ended.splitlines()[2] == "9\t\\N\t5\t5\t20\t{}\t2026-11-25T05:00:00+00:00"


def test_pair_products_are_scipys_sparse_products_bit_for_bit():
    """The exact pass sums each pair's concept products itself (batch.pair_products): the
    sums must be scipy's, to the last bit, whatever order the rows store their entries in."""
    from scipy import sparse

    from matchmaking.engine.index import _csr

    rng = np.random.default_rng(7)
    # rows with their entries in arbitrary order, as the index builds them from dicts
    rows = [
        {int(k): float(rng.random()) for k in rng.permutation(24)[: rng.integers(0, 10)]}
        for _ in range(60)
    ]
    left = _csr(rows, {i: i for i in range(24)}, 24)
    right = rng.random((400, 24)) * (rng.random((400, 24)) < 0.35)
    pair_rows = rng.integers(0, 60, 5000)
    columns = rng.integers(0, 400, 5000)
    expected = (left @ sparse.csc_matrix(right.T)).toarray()[pair_rows, columns]
    assert np.array_equal(batch.pair_products(left, right, pair_rows, columns), expected)
    # summed in another order, they would differ in the last bits: the test can tell
    assert not np.array_equal(
        (left.toarray()[pair_rows] * right[columns])[:, ::-1].sum(axis=1), expected
    )


def test_profiles_found_by_two_processes_are_those_of_one(cluster, monkeypatch):
    # given several opportunities in German and English
    for number in range(5):
        OpportunityFactory(
            title=f"Wasserstoff-Elektrolyse {number}",
            description="Wir suchen Partner für Batteriespeicher.",
            language="de" if number % 2 else "en",
        )
    taxonomy = profiles.Taxonomy.load()
    organisations = profiles.load_organisation_profiles(taxonomy)
    alone = profiles.load_opportunity_profiles(taxonomy, organisations)
    # when a forked process takes half of the texts (from any number of them)
    monkeypatch.setattr(profiles, "PARALLEL_FROM", 0)
    handed, received = [], []
    map_async = multiprocessing.pool.Pool.map_async

    class Received:
        def __init__(self, result):
            self.result = result

        def get(self, *args, **kwargs):
            received.append(self.result.get(*args, **kwargs))
            return received[-1]

    def recording_map_async(pool, func, iterable, *args, **kwargs):
        iterable = list(iterable)
        handed.append((func, iterable, [process.pid for process in pool._pool]))
        return Received(map_async(pool, func, iterable, *args, **kwargs))

    monkeypatch.setattr(multiprocessing.pool.Pool, "map_async", recording_map_async)
    shared = profiles.load_opportunity_profiles(taxonomy, organisations, processes=2)
    # then the profiles are the same, in the same order
    assert len(alone) == 6
    assert list(shared) == list(alone)
    assert shared == alone
    # and one other process got the second half of the texts and found their parts
    ((func, bounds, pids),) = handed
    assert func is profiles._text_parts
    assert bounds == [(3, 6)]
    assert len(pids) == 1
    assert pids[0] != os.getpid()
    second_half = list(alone.values())[3:]
    assert received == [[[(p.concepts, p.tokens) for p in second_half]]]
