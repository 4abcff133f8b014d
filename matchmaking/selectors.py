"""Reads of opportunities, matches, contact requests and conversations, filtered by who asks."""

import uuid
from dataclasses import dataclass, fields

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.fields import BooleanField
from django.http import Http404
from django.utils.translation import get_language

from matchmaking import scoring
from matchmaking.models import (
    Block,
    ContactRequest,
    Forwarding,
    Match,
    MatchFeedback,
    Message,
    Opportunity,
)
from matchmaking.permissions import (
    active_member_organisation_ids,
    contact_requests_q,
    visible_opportunities_q,
)
from partners.models import Competence, Organisation
from partners.permissions import is_staff, member_organisation_ids

ORGANISATION_FIELDS = (
    "organisation__id",
    "organisation__public_id",
    "organisation__name",
    "organisation__short_name",
    "organisation__slug",
    "organisation__kind",
    "organisation__status",
)


@dataclass(frozen=True)
class OpportunityFilters:
    """List filters. `competence` is a slug (narrower concepts included); `mine` limits the
    list to the user's own organisations; `status` only narrows what is visible anyway."""

    q: str = ""
    kind: str = ""
    competence: str = ""
    status: str = ""
    mine: str = ""

    @classmethod
    def from_params(cls, params) -> "OpportunityFilters":
        return cls(**{f.name: (params.get(f.name) or "").strip()[:100] for f in fields(cls)})

    @property
    def is_empty(self) -> bool:
        return not any(self.__dict__.values())


def _competences_prefetch() -> Prefetch:
    return Prefetch(
        "competences", queryset=Competence.objects.only("id", "slug", "name_de", "name_en")
    )


def _visible_opportunities(user) -> QuerySet:
    queryset = Opportunity.objects.filter(visible_opportunities_q(user))
    if is_staff(user):
        return queryset.annotate(is_identity_revealed_to_user=Value(True, BooleanField()))
    return queryset.annotate(
        is_identity_revealed_to_user=Exists(
            Forwarding.objects.filter(
                opportunity_id=OuterRef("pk"),
                organisation_id__in=member_organisation_ids(user),
                is_identity_revealed=True,
            )
        )
    )


def _competence_q(slug: str) -> Q:
    through = Opportunity.competences.through.objects.filter(opportunity_id=OuterRef("pk"))
    return Q(
        Exists(
            through.filter(
                Q(competence__slug=slug)
                | Q(competence__parent__slug=slug)
                | Q(competence__parent__parent__slug=slug)
            )
        )
    )


def opportunity_list(*, visible_to, filters: OpportunityFilters | None = None) -> QuerySet:
    """Opportunities `visible_to` may see, filtered, newest first; one prefetch (competences)."""
    filters = filters or OpportunityFilters()
    queryset = _visible_opportunities(visible_to)
    if filters.q:
        for word in filters.q.split()[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(keywords__icontains=word)
            )
    if filters.kind in Opportunity.Kind.values:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status in Opportunity.Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.competence:
        queryset = queryset.filter(_competence_q(filters.competence))
    if filters.mine:
        queryset = queryset.filter(organisation_id__in=member_organisation_ids(visible_to))
    return (
        queryset.select_related("organisation")
        .only(
            "id",
            "public_id",
            "organisation_id",
            "created_by_id",
            "kind",
            "title",
            "description",
            "description_html",
            "keywords",
            "language",
            "partner_kinds",
            "project_idea",
            "project_id",
            "valid_until",
            "status",
            "visibility",
            "published_at",
            "created_at",
            "updated_at",
            *ORGANISATION_FIELDS,
        )
        .prefetch_related(_competences_prefetch())
        .order_by("-published_at", "-created_at", "-id")
    )


def opportunity_get(*, visible_to, public_id) -> Opportunity:
    """One opportunity by public id if `visible_to` may see it; else Http404 (as if missing)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such opportunity.") from None
    opportunity = (
        _visible_opportunities(visible_to)
        .filter(public_id=key)
        .select_related("organisation", "project", "created_by")
        .prefetch_related(_competences_prefetch())
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity


def _feedback(field: str):
    return Subquery(
        MatchFeedback.objects.filter(
            opportunity_id=OuterRef("opportunity_id"),
            organisation_id=OuterRef("target_organisation_id"),
        ).values(field)[:1]
    )


def opportunity_match_list(*, opportunity: Opportunity, is_dismissed: bool = False) -> QuerySet:
    """The opportunity's ranked matches with the recorded outcome (`outcome`, None if none);
    dismissed ones only with is_dismissed=True. One query; the caller checks permission."""
    dismissed = MatchFeedback.objects.filter(
        opportunity_id=OuterRef("opportunity_id"),
        organisation_id=OuterRef("target_organisation_id"),
        is_dismissed=True,
    )
    queryset = Match.objects.filter(opportunity=opportunity).annotate(
        outcome=_feedback("outcome"), is_dismissed=Exists(dismissed)
    )
    queryset = queryset.filter(is_dismissed=is_dismissed)
    return queryset.select_related("target_organisation", "target_opportunity").order_by(
        "-score", "target_organisation_id"
    )


def opportunity_matches_named(*, opportunity: Opportunity) -> list[Match]:
    """opportunity_match_list for showing: the concepts of the explanations by their names
    (labelled_explanations: one more query if any explanation has concepts). The instances
    are for display; they are not saved."""
    matches = list(opportunity_match_list(opportunity=opportunity))
    explanations = labelled_explanations(
        [match.explanation for match in matches], [match.score for match in matches]
    )
    for rank, (match, explanation) in enumerate(zip(matches, explanations, strict=True), 1):
        match.explanation = explanation
        match.rank = rank
    return matches


def matches_for_user(*, user, limit: int = 5) -> list[Match]:
    """Other organisations' current opportunities that the engine suggested for one of the
    user's organisations, best first (one query). Pairs marked "not relevant" stay hidden."""
    organisation_ids = active_member_organisation_ids(user)
    if not organisation_ids:
        return []
    dismissed = MatchFeedback.objects.filter(
        opportunity_id=OuterRef("opportunity_id"),
        organisation_id=OuterRef("target_organisation_id"),
        is_dismissed=True,
    )
    visible = Opportunity.objects.filter(visible_opportunities_q(user)).filter(
        status=Opportunity.Status.PUBLISHED,
        visibility=Opportunity.Visibility.PARTNERS,
    )
    return list(
        Match.objects.filter(target_organisation_id__in=organisation_ids)
        .exclude(opportunity__organisation_id__in=member_organisation_ids(user))
        .filter(opportunity__in=visible.values("pk"))
        .exclude(Exists(dismissed))
        .select_related("opportunity", "opportunity__organisation", "target_organisation")
        .order_by("-score", "id")[:limit]
    )


def match_outcome_statistics() -> dict:
    """Counts for the cluster office: outcomes, dismissals, contact requests, opportunities."""
    outcomes = dict(
        MatchFeedback.objects.filter(is_dismissed=False)
        .values_list("outcome")
        .annotate(count=Count("pk"))
        .order_by()
    )
    requests = dict(
        ContactRequest.objects.values_list("status").annotate(count=Count("pk")).order_by()
    )
    opportunities = dict(
        Opportunity.objects.values_list("status").annotate(count=Count("pk")).order_by()
    )
    return {
        "outcomes": [
            (label, outcomes.get(value, 0)) for value, label in MatchFeedback.Outcome.choices
        ],
        "dismissed": MatchFeedback.objects.filter(is_dismissed=True).count(),
        "matches": Match.objects.count(),
        "contact_requests": [
            (label, requests.get(value, 0)) for value, label in ContactRequest.Status.choices
        ],
        "opportunities": [
            (label, opportunities.get(value, 0)) for value, label in Opportunity.Status.choices
        ],
    }


# --- Contact requests -------------------------------------------------------------------------

DIRECTIONS = ("in", "out")


def contact_request_list(*, user, direction: str = "", status: str = "") -> QuerySet:
    """Requests the user sent ("out") or that reached one of their organisations ("in"); both
    without a direction. Incoming requests from organisations the user blocked are hidden."""
    queryset = ContactRequest.objects.filter(contact_requests_q(user))
    if direction == "out":
        queryset = queryset.filter(sender=user)
    elif direction == "in":
        queryset = queryset.filter(
            receiver_organisation_id__in=member_organisation_ids(user)
        ).exclude(sender=user)
    if direction != "out":
        blocked = Block.objects.filter(
            user=user, blocked_organisation_id=OuterRef("sender_organisation_id")
        )
        queryset = queryset.exclude(Q(Exists(blocked)) & ~Q(sender=user))
    if status in ContactRequest.Status.values:
        queryset = queryset.filter(status=status)
    return queryset.select_related(
        "sender", "sender_organisation", "receiver_organisation", "opportunity", "answered_by"
    ).order_by("-created_at", "-id")


def contact_request_get(*, visible_to, public_id) -> ContactRequest:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such contact request.") from None
    contact_request = (
        ContactRequest.objects.filter(contact_requests_q(visible_to), public_id=key)
        .select_related(
            "sender",
            "sender_organisation",
            "receiver_organisation",
            "opportunity",
            "opportunity__organisation",
            "answered_by",
        )
        .first()
    )
    if contact_request is None:
        raise Http404("No such contact request.")
    return contact_request


def message_list(*, contact_request: ContactRequest) -> QuerySet:
    """The conversation's messages, oldest first (the caller checks participation)."""
    return (
        Message.objects.filter(contact_request=contact_request)
        .select_related("author")
        .order_by("created_at", "id")
    )


def open_outgoing_count(*, user) -> int:
    return ContactRequest.objects.filter(sender=user, status=ContactRequest.Status.OPEN).count()


def block_list(*, user) -> QuerySet:
    return (
        Block.objects.filter(user=user)
        .select_related("blocked_organisation")
        .order_by("blocked_organisation__name")
    )


def forwarding_list(*, opportunity: Opportunity) -> QuerySet:
    return (
        Forwarding.objects.filter(opportunity=opportunity)
        .select_related("organisation", "forwarded_by")
        .order_by("created_at", "id")
    )


def user_forwarding_list(*, user, opportunity: Opportunity) -> QuerySet:
    """Forwardings of this opportunity to the user's organisations."""
    return Forwarding.objects.filter(
        opportunity=opportunity, organisation_id__in=member_organisation_ids(user)
    ).select_related("organisation")


def _label(item) -> str:
    """A readable label for one item of an explanation list, in the current language."""
    if isinstance(item, dict):
        if item.get("from") and item.get("to"):
            kinds = dict(Organisation.Kind.choices)
            return f"{kinds.get(item['from'], item['from'])} ↔ {kinds.get(item['to'], item['to'])}"
        language = (get_language() or "de")[:2]
        for key in (language, f"name_{language}", "name", "label", "de", "en", "slug", "key"):
            if item.get(key):
                return str(item[key])
        return ""
    return str(item) if item not in (None, "") else ""


def labelled_explanations(explanations: list[dict], scores: list[int] | None = None) -> list[dict]:
    """The explanations in the readable shape for pages and the API: concepts as
    {"slug", "de", "en"}, complementarity rules as {"key", "from", "to"}, components by name
    (see matchmaking.engine). The engine's compact rows (concepts by Competence id) are
    expanded, with their score from `scores` (Match.score); explanations of older engine
    versions (version 2 stored the readable shape) are returned as they are. One query for
    the names of all of them, none if no explanation has concepts."""
    compact = [
        isinstance(explanation, dict) and explanation.get("v") == scoring.EXPLANATION_VERSION
        for explanation in explanations
    ]
    wanted = {
        item
        for explanation, is_compact in zip(explanations, compact, strict=True)
        if is_compact
        for key in ("s", "r")
        for item in explanation.get(key) or ()
    }
    concepts = {}
    if wanted:
        for pk, slug, name_de, name_en in Competence.objects.filter(pk__in=wanted).values_list(
            "pk", "slug", "name_de", "name_en"
        ):
            concepts[pk] = {"slug": slug, "de": name_de, "en": name_en}
    return [
        _expanded(explanation, scores[position] if scores is not None else None, concepts)
        if is_compact
        else explanation
        for position, (explanation, is_compact) in enumerate(
            zip(explanations, compact, strict=True)
        )
    ]


def _expanded(stored: dict, score: int | None, concepts: dict[int, dict]) -> dict:
    """A version 5 explanation in the readable shape (concepts no longer in the taxonomy are
    left out: there is no name to show)."""
    kinds = stored.get("k") or ["", ""]
    values = stored.get("x") or []
    evidence = stored.get("e")
    return {
        "version": stored["v"],
        **({"score": score} if score is not None else {}),
        "is_weak": bool(stored.get("w")),
        "shared": [concepts[c] for c in stored.get("s") or () if c in concepts],
        "related": [concepts[c] for c in stored.get("r") or () if c in concepts],
        "terms": list(stored.get("t") or ()),
        "evidence": (
            {
                "source": evidence[0],
                "target": evidence[1],
                "similarity": evidence[2],
                "target_kind": stored.get("o", "profile"),
            }
            if evidence
            else None
        ),
        "partner_kind_sought": None if "p" not in stored else bool(stored["p"]),
        "complementary": [
            {"key": rule, "from": kinds[0], "to": kinds[1]} for rule in stored.get("c") or ()
        ],
        "components": dict(zip(scoring.COMPONENT_NAMES, values, strict=False)),
    }


def explanation_summary(explanation) -> dict[str, list[str]]:
    """The match explanation as lists of labels, whatever version the engine wrote: shared
    competences, complementary ones, related concepts and shared terms."""
    explanation = explanation if isinstance(explanation, dict) else {}
    summary: dict = {}
    for key in ("shared", "complementary", "related", "terms"):
        items = explanation.get(key)
        labels = [_label(item) for item in items] if isinstance(items, list) else []
        # two rules between the same kinds of organisation read the same: show it once
        summary[key] = list(dict.fromkeys(label for label in labels if label))[:8]
    summary["is_weak"] = bool(explanation.get("is_weak"))
    summary["evidence"] = explanation.get("evidence")
    summary["partner_kind_sought"] = explanation.get("partner_kind_sought")
    if summary["is_weak"]:
        # no confident reason for a weak match: the card says it is weak, and why not more
        summary["complementary"] = []
        summary["evidence"] = None
    return summary
