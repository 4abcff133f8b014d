"""The matching engine: loads profiles with a handful of queries, keeps an inverted
(column-oriented) sparse index of all candidates, scores opportunities against all of them at
once and stores the best ones as Match rows.

Match.explanation (version 4, compact: a full rebuild writes millions of them)::

    {
      "v": 4,
      "s": [12, 7],                    # shared: ids of concepts (Competence) both sides have
      "r": [31],                       # related: the target's concepts near the source's
      "c": ["science_industry"],       # complementarity rules that hold (absent if none) …
      "k": ["large_enterprise", "research_institute"],  # … between these Organisation.Kinds
      "t": ["Prüfstand", "Hochvolt"],  # shared words of the two texts
      "x": [1.0, 0.707, 0.31, 1.0, 1.0, 1.0]  # components, in scoring.COMPONENT_NAMES order
    }

"shared" are concepts both sides have (declared or found in their text), "related" the target's
concepts that are a parent, child or close relative of one of the opportunity's, "c" the rules
of `scoring.complement_rules` that hold, "k" the kinds of the opportunity's organisation and of
the target's. The score is Match.score. Pages and the API show the expanded, readable shape
(`selectors.opportunity_matches_named`, `labelled_explanations`, one query for a whole list)::

    {"version": 4, "score": 87,
     "shared": [{"slug": "battery-storage", "de": "Batteriespeicher", "en": "Battery storage"}],
     "complementary": [{"key": "science_industry", "from": "large_enterprise",
                        "to": "research_institute"}],
     "related": [...], "terms": ["Prüfstand", "Hochvolt"],
     "components": {"forward": 1.0, "backward": 0.707, "text": 0.31,
                    "complementarity": 1.0, "partner_kind": 1.0, "responsiveness": 1.0}}

and `explanation_sentence(explanation, language)` renders that as one sentence with gettext.
Older rows are shown as they are stored: version 1 also stored that sentence, version 2 the
names of the concepts in every row, version 3 the expanded shape with slugs. Version 4 holds
a third of version 3's bytes, which made copying a full rebuild's rows three times cheaper.

The index lives in the process (a Celery worker keeps it between tasks) and is kept current
by overlaying changed rows: `refresh()` marks changed rows of the base blocks dead and scores
their new versions from a small delta block; once the delta is large the index is rebuilt.
"""

from matchmaking.engine.compute import (
    Scores,
    _best_over_blocks,
    _excluded_organisations,
    compute_matches,
    score_block,
    top_rows,
)
from matchmaking.engine.explain import explanation_for, explanation_sentence
from matchmaking.engine.index import Block, MatchingIndex, get_index, reset_index
from matchmaking.engine.profiles import (
    FLAG_NAMES,
    KIND_CODES,
    MAX_DELTA_ROWS,
    MAX_REVERSE_UPDATES,
    PARTNER_KINDS,
    TOP_OPPORTUNITIES,
    TOP_ORGANISATIONS,
    Profile,
    Taxonomy,
    _profile_concepts,
    load_opportunity_profiles,
    load_organisation_profiles,
    load_responsiveness,
)
from matchmaking.engine.rebuild import rebuild_all
from matchmaking.engine.store import _today, store_matches, update_opportunity, update_organisation

__all__ = [
    "FLAG_NAMES",
    "KIND_CODES",
    "MAX_DELTA_ROWS",
    "MAX_REVERSE_UPDATES",
    "PARTNER_KINDS",
    "TOP_OPPORTUNITIES",
    "TOP_ORGANISATIONS",
    "Block",
    "MatchingIndex",
    "Profile",
    "Scores",
    "Taxonomy",
    "_best_over_blocks",
    "_excluded_organisations",
    "_profile_concepts",
    "_today",
    "compute_matches",
    "explanation_for",
    "explanation_sentence",
    "get_index",
    "load_opportunity_profiles",
    "load_organisation_profiles",
    "load_responsiveness",
    "rebuild_all",
    "reset_index",
    "score_block",
    "store_matches",
    "top_rows",
    "update_opportunity",
    "update_organisation",
]
