"""Writes on opportunities, their confidential forwardings and the feedback on their matches."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matchmaking.models import Forwarding, Match, MatchFeedback, Opportunity, PartnerKind
from matchmaking.permissions import (
    can_create_opportunity_for,
    can_forward_opportunity,
    can_manage_opportunity,
    can_reveal_identity,
    can_track_match,
)
from matchmaking.scheduling import (
    schedule_opportunity_list,
    schedule_opportunity_matching,
    schedule_organisation_matching,
)
from matchmaking.services import notifications
from partners.models import Competence, Organisation
from projects.models import Project
from projects.permissions import can_view_project
from spinportal.audit import audit
from spinportal.updates import assign

# How far ahead an opportunity may run before it has to be renewed.
MAX_VALIDITY_DAYS = 730
EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "keywords",
    "language",
    "partner_kinds",
    "project",
    "project_idea",
    "valid_until",
    "status",
    "visibility",
)
OUTCOME_ORDER = list(MatchFeedback.Outcome.values)


def _validate(opportunity: Opportunity, *, actor, check_valid_until: bool) -> None:
    """All field rules in one place, so that the form and the API give the same messages."""
    errors: dict[str, list[str]] = {}
    opportunity.title = (opportunity.title or "").strip()
    opportunity.description = (opportunity.description or "").strip()
    opportunity.project_idea = (opportunity.project_idea or "").strip()
    if not opportunity.title:
        errors["title"] = [_("Give the opportunity a title.")]
    elif len(opportunity.title) > 200:
        errors["title"] = [_("The title may have at most 200 characters.")]
    if not opportunity.description:
        errors["description"] = [_("Describe what you offer or look for.")]
    elif len(opportunity.description) > 10000:
        errors["description"] = [_("The description may have at most 10,000 characters.")]
    if len(opportunity.project_idea) > 200:
        errors["project_idea"] = [_("The project idea may have at most 200 characters.")]
    keywords_error = _normalise_keywords(opportunity)
    if keywords_error:
        errors["keywords"] = [keywords_error]
    if opportunity.kind not in Opportunity.Kind.values:
        errors["kind"] = [_("Choose offer or request.")]
    if opportunity.status not in Opportunity.Status.values:
        errors["status"] = [_("Choose draft, published or closed.")]
    if opportunity.visibility not in Opportunity.Visibility.values:
        errors["visibility"] = [_("Choose who may see the opportunity.")]
    if opportunity.language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose German or English.")]
    kinds = opportunity.partner_kinds
    if not isinstance(kinds, list) or any(kind not in PartnerKind.values for kind in kinds):
        errors["partner_kinds"] = [_("Choose kinds of partner from the list.")]
    else:
        opportunity.partner_kinds = sorted(set(kinds), key=PartnerKind.values.index)
    if opportunity.project is not None and not can_view_project(actor, opportunity.project):
        errors["project"] = [_("No such project.")]
    today = timezone.localdate()
    if not isinstance(opportunity.valid_until, dt.date):
        errors["valid_until"] = [_("Enter the date until which the opportunity is valid.")]
    elif check_valid_until and opportunity.valid_until < today:
        errors["valid_until"] = [_("The valid-until date must not lie in the past.")]
    elif check_valid_until and opportunity.valid_until > today + dt.timedelta(
        days=MAX_VALIDITY_DAYS
    ):
        errors["valid_until"] = [
            _("The valid-until date may be at most two years ahead; renew it later.")
        ]
    if errors:
        raise ValidationError(errors)


MAX_KEYWORDS = 30
MAX_KEYWORD_LENGTH = 60


def _normalise_keywords(opportunity: Opportunity) -> str:
    """Keywords as "a, b, c" (control characters out, duplicates once); the error, if any."""
    raw = opportunity.keywords or ""
    if not isinstance(raw, str):
        return _("Enter the keywords as text, separated by commas.")
    keywords = []
    for keyword in raw.split(","):
        keyword = " ".join("".join(c if c.isprintable() else " " for c in keyword).split())
        if keyword and keyword.casefold() not in {k.casefold() for k in keywords}:
            keywords.append(keyword)
    if len(keywords) > MAX_KEYWORDS:
        return _("Enter at most %(count)d keywords.") % {"count": MAX_KEYWORDS}
    if any(len(k) > MAX_KEYWORD_LENGTH for k in keywords):
        return _("A keyword may have at most %(count)d characters.") % {"count": MAX_KEYWORD_LENGTH}
    opportunity.keywords = ", ".join(keywords)
    if len(opportunity.keywords) > 500:
        return _("The keywords may have at most 500 characters in all.")
    return ""


def _competence_list(competences: Iterable) -> list[Competence]:
    competences = list(competences)
    if any(not isinstance(c, Competence) or c.pk is None for c in competences):
        raise ValidationError({"competences": [_("Choose competences from the taxonomy.")]})
    return competences


@transaction.atomic
def opportunity_create(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    title: str,
    description: str,
    valid_until: dt.date,
    language: str = "de",
    competences: Iterable[Competence] = (),
    partner_kinds: list[str] | None = None,
    project: Project | None = None,
    project_idea: str = "",
    keywords: str = "",
    visibility: str = Opportunity.Visibility.PARTNERS,
    status: str = Opportunity.Status.DRAFT,
) -> Opportunity:
    """Creates an offer or request for `organisation`, of which `actor` must be a member (and
    which must be active). Published ones are matched after the commit."""
    if not can_create_opportunity_for(actor, organisation):
        raise PermissionDenied(
            _("Only members of an active organisation publish opportunities for it.")
        )
    opportunity = Opportunity(
        organisation=organisation,
        created_by=actor,
        kind=kind,
        title=title,
        description=description,
        language=language,
        partner_kinds=list(partner_kinds or []),
        project=project,
        project_idea=project_idea,
        keywords=keywords,
        valid_until=valid_until,
        status=status,
        visibility=visibility,
    )
    _validate(opportunity, actor=actor, check_valid_until=True)
    competences = _competence_list(competences)
    if opportunity.status == Opportunity.Status.PUBLISHED:
        opportunity.published_at = timezone.now()
    opportunity.save()
    opportunity.competences.set(competences)
    audit(actor=actor, action="opportunity.created", target=opportunity, status=status)
    if opportunity.status == Opportunity.Status.PUBLISHED:
        schedule_opportunity_matching(opportunity.id)
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor,
    opportunity: Opportunity,
    competences: Iterable[Competence] | None = None,
    **changes,
) -> Opportunity:
    """Changes fields (see EDITABLE_FIELDS; `competences` None = unchanged), including the
    status: draft → published → closed and back. A new valid-until date re-arms the expiry
    reminder. Matching is scheduled when the opportunity is (or was) published."""
    if not can_manage_opportunity(actor, opportunity):
        raise PermissionDenied(_("Only the opportunity's owner may change it."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown opportunity fields: {sorted(unknown)}")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    previous_status = opportunity.status
    changed = assign(opportunity, changes)
    is_publishing = (
        opportunity.status == Opportunity.Status.PUBLISHED
        and previous_status != Opportunity.Status.PUBLISHED
    )
    _validate(
        opportunity,
        actor=actor,
        check_valid_until="valid_until" in changed or is_publishing,
    )
    if competences is not None:
        competences = _competence_list(competences)
        if {c.pk for c in competences} != set(opportunity.competences.values_list("pk", flat=True)):
            changed.append("competences")
    if "valid_until" in changed:
        opportunity.expiry_reminded_at = None
    if is_publishing and opportunity.published_at is None:
        opportunity.published_at = timezone.now()
    opportunity.save()
    if competences is not None:
        opportunity.competences.set(competences)
    if changed:
        audit(actor=actor, action="opportunity.updated", target=opportunity, fields=changed)
    if changed and Opportunity.Status.PUBLISHED in (previous_status, opportunity.status):
        # Also when it stops being published, so that the engine can drop its matches.
        schedule_opportunity_matching(opportunity.id)
    return opportunity


def opportunity_close(*, actor, opportunity: Opportunity) -> Opportunity:
    return opportunity_update(actor=actor, opportunity=opportunity, status="closed")


def opportunity_publish(*, actor, opportunity: Opportunity) -> Opportunity:
    return opportunity_update(actor=actor, opportunity=opportunity, status="published")


@transaction.atomic
def opportunity_delete(*, actor, opportunity: Opportunity) -> None:
    """Deletes the opportunity with its matches; contact requests keep existing without it."""
    if not can_manage_opportunity(actor, opportunity):
        raise PermissionDenied(_("Only the opportunity's owner may delete it."))
    audit(actor=actor, action="opportunity.deleted", target=opportunity)
    schedule_organisation_matching(opportunity.organisation_id)
    opportunity.delete()


@transaction.atomic
def opportunity_mark_expiry_reminded(*, opportunity_id: int) -> bool:
    """For the periodic task: marks one opportunity as reminded (once per valid-until date)
    and hooks the notification. Returns False if another run was first."""
    updated = Opportunity.objects.filter(pk=opportunity_id, expiry_reminded_at__isnull=True).update(
        expiry_reminded_at=timezone.now()
    )
    if updated:
        notifications.opportunity_expiring(opportunity_id)
    return bool(updated)


# --- Confidential requests: forwarding by the cluster office ----------------------------------


@transaction.atomic
def forwarding_create(
    *, actor, opportunity: Opportunity, organisation: Organisation, note: str = ""
) -> Forwarding:
    """Staff forward a confidential opportunity to a chosen organisation (anonymously)."""
    if not can_forward_opportunity(actor, opportunity):
        raise PermissionDenied(_("Only the cluster office forwards confidential requests."))
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError({"organisation": [_("No such organisation.")]})
    if organisation.pk == opportunity.organisation_id:
        raise ValidationError(
            {"organisation": [_("The request cannot be forwarded to its own organisation.")]}
        )
    forwarding, created = Forwarding.objects.get_or_create(
        opportunity=opportunity,
        organisation=organisation,
        defaults={"forwarded_by": actor, "note": (note or "").strip()},
    )
    if not created:
        raise ValidationError(
            {"organisation": [_("The request has already been forwarded to this organisation.")]}
        )
    audit(actor=actor, action="opportunity.forwarded", target=opportunity, to=organisation.pk)
    notifications.opportunity_forwarded(forwarding.pk)
    return forwarding


@transaction.atomic
def forwarding_reveal_identity(*, actor, forwarding: Forwarding) -> Forwarding:
    """The requester agrees that the forwarded organisation may see who they are."""
    if not can_reveal_identity(actor, forwarding):
        raise PermissionDenied(_("Only the requester may reveal their identity."))
    if not forwarding.is_identity_revealed:
        forwarding.is_identity_revealed = True
        forwarding.save(update_fields=["is_identity_revealed"])
        audit(
            actor=actor,
            action="opportunity.identity_revealed",
            target=forwarding.opportunity,
            to=forwarding.organisation_id,
        )
    return forwarding


# --- Feedback on matches ----------------------------------------------------------------------


def _require_match(opportunity: Opportunity, organisation: Organisation) -> None:
    is_known = (
        Match.objects.filter(opportunity=opportunity, target_organisation=organisation).exists()
        or MatchFeedback.objects.filter(opportunity=opportunity, organisation=organisation).exists()
    )
    if not is_known:
        raise ValidationError({"organisation": [_("This organisation is not a suggestion here.")]})


@transaction.atomic
def match_dismiss(*, actor, opportunity: Opportunity, organisation: Organisation) -> MatchFeedback:
    """“Not relevant”: the suggestion disappears and stays hidden after recomputation."""
    if not can_manage_opportunity(actor, opportunity):
        raise PermissionDenied(_("Only the opportunity's owner may dismiss its suggestions."))
    _require_match(opportunity, organisation)
    feedback, _created = MatchFeedback.objects.update_or_create(
        opportunity=opportunity,
        organisation=organisation,
        defaults={"is_dismissed": True, "updated_by": actor},
    )
    audit(actor=actor, action="match.dismissed", target=opportunity, organisation=organisation.pk)
    schedule_opportunity_list(opportunity.pk)
    return feedback


@transaction.atomic
def match_restore(*, actor, opportunity: Opportunity, organisation: Organisation) -> MatchFeedback:
    """Undoes “not relevant”."""
    if not can_manage_opportunity(actor, opportunity):
        raise PermissionDenied(_("Only the opportunity's owner may restore its suggestions."))
    _require_match(opportunity, organisation)
    feedback, _created = MatchFeedback.objects.update_or_create(
        opportunity=opportunity,
        organisation=organisation,
        defaults={"is_dismissed": False, "updated_by": actor},
    )
    audit(actor=actor, action="match.restored", target=opportunity, organisation=organisation.pk)
    schedule_opportunity_list(opportunity.pk)
    return feedback


@transaction.atomic
def match_outcome_set(
    *, actor, opportunity: Opportunity, organisation: Organisation, outcome: str
) -> MatchFeedback:
    """Records how far a suggestion got (suggested → … → agreement). Any step may be chosen;
    partners correct mistakes this way."""
    if not can_track_match(actor, opportunity, organisation):
        raise PermissionDenied(_("Only the partners concerned record the outcome."))
    if outcome not in OUTCOME_ORDER:
        raise ValidationError({"outcome": [_("Choose an outcome from the list.")]})
    _require_match(opportunity, organisation)
    feedback, _created = MatchFeedback.objects.update_or_create(
        opportunity=opportunity,
        organisation=organisation,
        defaults={"outcome": outcome, "updated_by": actor},
    )
    audit(
        actor=actor,
        action="match.outcome_set",
        target=opportunity,
        organisation=organisation.pk,
        outcome=outcome,
    )
    return feedback


def match_outcome_advance(
    *, actor, opportunity: Opportunity, organisation: Organisation, outcome: str
) -> None:
    """Moves the outcome forward only (contact → contacted, acceptance → conversation); for
    the contact request services, inside their transaction."""
    feedback, _created = MatchFeedback.objects.select_for_update().get_or_create(
        opportunity=opportunity, organisation=organisation, defaults={"updated_by": actor}
    )
    if OUTCOME_ORDER.index(outcome) > OUTCOME_ORDER.index(feedback.outcome):
        feedback.outcome = outcome
        feedback.updated_by = actor
        feedback.save(update_fields=["outcome", "updated_by", "updated_at"])
