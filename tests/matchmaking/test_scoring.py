"""The scoring functions, pair by pair, without the database."""

import numpy as np
import pytest

from matchmaking import scoring, text

# A small taxonomy: 1 energy storage > 2 battery storage > {3 high-voltage storage, 4 cells};
# 1 > 5 thermal storage; 6 power electronics > 7 high-voltage engineering > 8 insulation testing.
PARENTS = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: None, 7: 6, 8: 7}


def test_german_terms_are_lemmas_with_compound_parts_at_half_weight():
    assert text.terms("Wir suchen Partner für Stahlknüppeln und Öfen", "de") == {
        "stahlknüppeln": 1.0,
        "stahl": 0.5,
        "knüppel": 0.5,
        "ofen": 1.0,
    }


def test_english_terms_are_english_lemmas_not_german_stems():
    assert text.terms("We offer life-cycle assessments of rotary kilns", "en") == {
        "life": 1.0,
        "cycle": 1.0,
        "assessment": 1.0,
        "rotary": 1.0,
        "kiln": 1.0,
    }


def test_compounds_split_only_into_words_and_the_head_comes_last():
    assert text.compound_parts("Drehrohrofen") == ("dreh", "rohr", "ofen")
    assert text.compound_parts("Hochspannungslabor") == (
        "hoch",
        "spannung",
        "hochspannung",
        "labor",
    )
    assert text.compound_parts("Elektrolyse") == ()
    assert text.compound_parts("Energie") == ()
    assert text.heads("Batteriespeicher und Stahlknüppel", "de") == [
        "batteriespeicher",
        "speicher",
        "und",
        "stahlknüppel",
        "knüppel",
    ]


def test_word_weights_come_from_general_language():
    assert text.weight("und", "de") == 0.0
    assert (
        text.weight("drehrohrofen", "de")
        > text.weight("wasserstoff", "de")
        > text.weight("energie", "de")
    )
    assert text.weight("xqzwortneu", "de") == 1.0  # unknown: as rare as it gets


def test_sentences_and_clean():
    assert text.sentences("Erster Satz hier. Zweiter Satz! Ja.\nDritter Satz ohne Punkt") == [
        "Erster Satz hier.",
        "Zweiter Satz!",
        "Dritter Satz ohne Punkt",
    ]
    assert text.clean("a\x00b\tc\n\n d") == "a b c d"


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


def test_lexical_overlap_weighs_rare_words_and_saturates():
    counts = {"drehrohrofen": 1.0, "zement": 1.0, "energie": 1.0}
    weights = {t: text.weight(t, "de") for t in counts}
    query = scoring.query_weights(counts, weights)
    assert sum(query.values()) == pytest.approx(1.0)
    assert query["drehrohrofen"] > query["energie"]
    document = scoring.document_weights({"drehrohrofen": 1.0, **{f"w{i}": 1.0 for i in range(39)}})
    assert document["drehrohrofen"] == pytest.approx(1.0)  # one occurrence, average length
    assert scoring.lexical(query, document) == pytest.approx(query["drehrohrofen"])
    assert scoring.lexical(query, {}) == 0.0


def test_semantic_rescales_e5_cosines():
    assert scoring.semantic(0.70) == 0.0
    assert scoring.semantic(scoring.SEMANTIC_FLOOR) == 0.0
    assert scoring.semantic(0.84) == pytest.approx(0.5)
    assert scoring.semantic(0.95) == 1.0


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


def test_partner_kind_sought():
    assert scoring.is_kind_sought([], "sme") is True
    assert scoring.is_kind_sought(["science"], "university") is True
    assert scoring.is_kind_sought(["science"], "startup") is False


def test_responsiveness_is_a_mild_smoothed_penalty():
    assert scoring.responsiveness(0, 0) == 1.0
    assert scoring.responsiveness(0, 1) == pytest.approx(1 - 0.2 / 3)
    assert scoring.responsiveness(0, 8) == pytest.approx(0.84)
    assert scoring.responsiveness(np.array([4, 0]), np.array([0, 2])).tolist() == [1.0, 0.9]


def test_raw_score_and_rounding():
    # semantic 0.5, lexical 0.4, concept 1.0: topical 0.275 + 0.1 + 0.2 = 0.575
    topical = scoring.topical(0.5, 0.4, 1.0)
    assert topical == pytest.approx(0.575)
    raw = scoring.raw_score(topical, 1.0, 1.0, 1.0)
    assert raw == pytest.approx(0.575 * 1.12)
    assert scoring.to_score(raw) == 64
    assert scoring.to_score(scoring.raw_score(topical, scoring.KIND_MISMATCH, 0.0, 0.0)) == 23
    assert scoring.to_score(0.125) == 13


def test_off_topic_pairs_score_zero_whatever_their_complementarity():
    below = scoring.TOPICAL_MINIMUM - 0.001
    assert scoring.raw_score(below, 1.0, 1.0, 1.0) == 0.0
    # on topic, the refinements add at most 12 %: a weaker but on-topic partner stays below
    # a clearly better one
    assert scoring.raw_score(0.30, 1.0, 1.0, 1.0) < scoring.raw_score(0.34, 1.0, 0.0, 0.0)


def test_raw_score_vectorised_equals_scalar():
    topical = np.array([0.575, 0.05, 0.3])
    kind = np.array([1.0, 1.0, 0.4])
    complement = np.array([1.0, 1.0, 0.0])
    reciprocity = np.array([0.5, 0.0, 1.0])
    vector = scoring.to_score(scoring.raw_score(topical, kind, complement, reciprocity))
    scalars = [
        scoring.to_score(scoring.raw_score(*values))
        for values in zip(topical, kind, complement, reciprocity, strict=True)
    ]
    assert vector.tolist() == scalars == [63, 0, 13]


def test_explain_concepts_lists_shared_and_related():
    source = {2: 1.0, 7: 1.0}
    target = {2: 1.0, 8: 1.0, 5: 0.6}
    shared, related = scoring.explain_concepts(source, target, PARENTS)
    assert shared == [2]
    assert related == [8, 5]
