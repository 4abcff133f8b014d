"""The scoring functions, pair by pair, without the database."""

import numpy as np
import pytest

from matchmaking import scoring, text

# A small taxonomy: 1 energy storage > 2 battery storage > {3 high-voltage storage, 4 cells};
# 1 > 5 thermal storage; 6 power electronics > 7 high-voltage engineering > 8 insulation testing.
PARENTS = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: None, 7: 6, 8: 7}


def test_tokenize_german_removes_stop_words_and_stems():
    assert text.tokenize("Wir suchen Partner für Batteriespeicher und Elektrolyseure", "de") == [
        "batteriespeich",
        "elektrolyseur",
    ]


def test_tokenize_english_stems():
    assert text.tokenize("We offer insulation testing of batteries", "en") == [
        "insul",
        "test",
        "batteri",
    ]


def test_find_concepts_matches_compounds_and_short_terms_as_words():
    terms = {1: ["Speicher", "storage"], 9: ["H2"], 10: ["PEM"]}
    assert text.find_concepts("Batteriespeicher mit H2-Anbindung", terms) == {1, 9}
    assert text.find_concepts("Ein Problem ohne Lösung", terms) == set()


def test_expand_concepts_gives_partial_credit_to_relatives():
    assert scoring.expand_concepts({2: 1.0}, PARENTS) == {
        2: 1.0,
        1: 0.5,
        3: 0.5,
        4: 0.5,
        5: 0.25,
    }


def test_expand_concepts_keeps_the_strongest_path():
    assert scoring.expand_concepts({3: 1.0, 2: 0.6}, PARENTS) == {
        3: 1.0,
        2: 0.6,
        1: 0.3,
        4: 0.3,
        5: 0.15,
    }


def test_forward_coverage_counts_parents_and_children_partially():
    target = scoring.expand_concepts({3: 1.0, 7: 1.0}, PARENTS)
    # 2 is the parent of 3 (0.5), 7 is shared (1.0), 5 is unrelated to 3 and 7.
    assert scoring.forward_coverage({2: 1.0, 7: 1.0, 5: 1.0}, target) == pytest.approx(0.5)
    assert scoring.forward_coverage({}, target) == 0.0


def test_backward_coverage_is_normalised_by_both_sizes():
    source = {7: 1.0}
    broad_target = {7: 1.0, 1: 1.0, 5: 1.0, 4: 1.0}
    expanded = scoring.expand_concepts(source, PARENTS)
    assert scoring.backward_coverage(source, broad_target, expanded) == pytest.approx(0.5)
    assert scoring.backward_coverage(source, {7: 1.0}, expanded) == 1.0


def test_tfidf_cosine_and_shared_terms():
    docs = [["batteri", "speich"], ["batteri", "netz"], ["wasserstoff"]]
    idf = scoring.inverse_document_frequencies(docs)
    assert idf["batteri"] == pytest.approx(1.2876820724517808)
    u = scoring.tfidf_vector(docs[0], idf)
    v = scoring.tfidf_vector(docs[1], idf)
    assert scoring.cosine(u, u) == pytest.approx(1.0)
    assert scoring.cosine(u, v) == pytest.approx(0.3664468)
    assert scoring.cosine(u, scoring.tfidf_vector(docs[2], idf)) == 0.0
    assert scoring.shared_terms(u, v) == ["batteri"]


def test_complementarity_rules():
    institute = scoring.Traits(kind="research_institute").flags()
    steelworks = scoring.Traits(kind="large_enterprise", sectors=frozenset({"steel"})).flags()
    utility = scoring.Traits(kind="large_enterprise", sectors=frozenset({"energy-supply"})).flags()
    startup = scoring.Traits(kind="startup").flags()
    association = scoring.Traits(kind="association").flags()
    assert scoring.complementarity(institute, steelworks) == 1.0
    assert scoring.complementarity(utility, steelworks) == 1.0
    assert scoring.complementarity(startup, utility) == 0.6
    assert scoring.complementarity(association, startup) == 0.0
    rules = scoring.complement_rules(steelworks, utility)
    assert {name for name, holds in rules.items() if holds} == {"supplier_user"}


def test_complementarity_vectorised_equals_scalar():
    a = scoring.Traits(kind="sme").flags()
    b = {
        "industry": np.array([True, False, True]),
        "science": np.array([False, True, False]),
        "small": np.array([True, False, False]),
        "large": np.array([False, False, True]),
        "supplier": np.array([False, False, False]),
        "intensive": np.array([False, False, False]),
    }
    assert scoring.complementarity(a, b).tolist() == [0.0, 1.0, 0.6]


def test_partner_kind_factor():
    assert scoring.partner_kind_factor([], "sme") == 1.0
    assert scoring.partner_kind_factor(["science"], "university") == 1.0
    assert scoring.partner_kind_factor(["science"], "startup") == 0.5


def test_responsiveness_is_a_mild_smoothed_penalty():
    assert scoring.responsiveness(0, 0) == 1.0
    assert scoring.responsiveness(0, 1) == pytest.approx(1 - 0.2 / 3)
    assert scoring.responsiveness(0, 8) == pytest.approx(0.84)
    assert scoring.responsiveness(np.array([4, 0]), np.array([0, 2])).tolist() == [1.0, 0.9]


def test_harmonic_mean_requires_both_directions():
    assert scoring.harmonic_mean(1.0, 1.0) == 1.0
    assert scoring.harmonic_mean(1.0, 0.0) == 0.0
    assert scoring.harmonic_mean(0.0, 0.0) == 0.0
    assert scoring.harmonic_mean(0.9, 0.3) == pytest.approx(0.45)


def test_raw_score_and_rounding():
    # Forward 1.0, backward 0.5, text cosine 0.25, complementary 1.0:
    # relevance 0.6 + 0.125 + 0.15 = 0.875 and 0.3 + 0.125 + 0.15 = 0.575 → HM 0.693965…
    raw = scoring.raw_score(1.0, 0.5, 0.25, 1.0)
    assert raw == pytest.approx(0.6939655, abs=1e-6)
    assert scoring.to_score(raw) == 69
    assert scoring.to_score(scoring.raw_score(1.0, 0.5, 0.25, 1.0, 0.5, 0.9)) == 31
    assert scoring.to_score(0.125) == 13
    assert scoring.raw_score(0.0, 0.0, 0.0, 1.0) == 0.0


def test_raw_score_vectorised_equals_scalar():
    forward = np.array([1.0, 0.0, 0.4])
    backward = np.array([0.5, 0.0, 0.8])
    texts = np.array([0.25, 0.0, 0.1])
    complement = np.array([1.0, 1.0, 0.0])
    vector = scoring.to_score(scoring.raw_score(forward, backward, texts, complement))
    scalars = [
        scoring.to_score(scoring.raw_score(*values))
        for values in zip(forward, backward, texts, complement, strict=True)
    ]
    assert vector.tolist() == scalars == [69, 0, 37]


def test_explain_concepts_lists_shared_and_related():
    source = {2: 1.0, 7: 1.0}
    target = {2: 1.0, 8: 1.0, 5: 0.6}
    shared, related = scoring.explain_concepts(source, target, PARENTS)
    assert shared == [2]
    assert related == [8, 5]
