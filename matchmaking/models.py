import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matchmaking.fields import StoredJSONField
from partners.models import Competence, Organisation
from projects.models import Project


class PartnerKind(models.TextChoices):
    """Kinds of partner an opportunity seeks (groups of Organisation.Kind)."""

    INDUSTRY = "industry", _("Industry (large enterprise)")
    SME = "sme", _("SME or start-up")
    SCIENCE = "science", _("Science (university, research institute)")
    PUBLIC = "public", _("Public body")
    ASSOCIATION = "association", _("Association or network")


class Opportunity(models.Model):
    """A cooperation offer or request published by a partner for their organisation."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        REQUEST = "request", _("Request")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class Visibility(models.TextChoices):
        PARTNERS = "partners", _("All logged-in partners")
        OFFICE = "office", _("Cluster office only (confidential)")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="opportunities",
        verbose_name=_("created by"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    language = models.CharField(
        _("language of the text"), max_length=2, choices=settings.LANGUAGES, default="de"
    )
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="opportunities", verbose_name=_("competences")
    )
    partner_kinds = models.JSONField(
        _("kinds of partner sought"),
        default=list,
        blank=True,
        help_text=_("Empty: any kind of partner."),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("project"),
    )
    project_idea = models.CharField(_("project idea"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.PARTNERS
    )
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            # the matching engine refreshes its index from rows changed since its last load
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self):
        return self.title


class Match(models.Model):
    """A stored, explained suggestion for an opportunity: a counter-opportunity or an
    organisation. Rebuilt by the engine; feedback lives in MatchFeedback so it survives."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("opportunity"),
        db_index=False,  # the (opportunity, rank) index serves it; one index less to write
    )
    target_opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matched_by",
        verbose_name=_("matching opportunity"),
        db_index=False,  # a partial index below: half the rows (organisations) have none
    )
    target_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("matching organisation"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    explanation = StoredJSONField(_("explanation"), default=dict)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["opportunity", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="match_score_0_100"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "target_opportunity"],
                condition=Q(target_opportunity__isnull=False),
                name="unique_opportunity_match",
            ),
            models.UniqueConstraint(
                fields=["opportunity", "target_organisation"],
                condition=Q(target_opportunity__isnull=True),
                name="unique_organisation_match",
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "rank"]),
            models.Index(
                fields=["target_opportunity"],
                condition=Q(target_opportunity__isnull=False),
                name="match_target_opportunity",
            ),
        ]

    def __str__(self):
        return f"{self.opportunity} → {self.target_organisation} ({self.score})"


class MatchFeedback(models.Model):
    """What the owner did with a suggested organisation: dismissed, or how far it got."""

    class Outcome(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONTACTED = "contacted", _("Contacted")
        CONVERSATION = "conversation", _("In conversation")
        MEETING = "meeting", _("Meeting held")
        AGREEMENT = "agreement", _("Agreement or joint project")

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("opportunity"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    is_dismissed = models.BooleanField(_("not relevant"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome, default=Outcome.SUGGESTED
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("match feedback")
        verbose_name_plural = _("match feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "organisation"], name="unique_match_feedback"
            )
        ]

    def __str__(self):
        return f"{self.opportunity} / {self.organisation}: {self.outcome}"


class ContactRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    REMIND_AFTER_DAYS = 7
    EXPIRE_AFTER_DAYS = 30
    MAX_OPEN_PER_USER = 20

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sent_contact_requests",
        verbose_name=_("sender"),
    )
    sender_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sent_contact_requests",
        verbose_name=_("sender organisation"),
    )
    receiver_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="received_contact_requests",
        verbose_name=_("receiving organisation"),
    )
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_requests",
        verbose_name=_("opportunity"),
    )
    message = models.TextField(_("message"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN, db_index=True
    )
    decline_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender_organisation", "receiver_organisation", "opportunity"],
                condition=Q(status="open", opportunity__isnull=False),
                name="one_open_contact_request_per_pair_and_opportunity",
            ),
            models.UniqueConstraint(
                fields=["sender_organisation", "receiver_organisation"],
                condition=Q(status="open", opportunity__isnull=True),
                name="one_open_direct_contact_request_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(sender_organisation=models.F("receiver_organisation")),
                name="contact_request_not_to_own_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.sender_organisation} → {self.receiver_organisation}"


class Message(models.Model):
    """A message in the conversation that an accepted contact request opens."""

    contact_request = models.ForeignKey(
        ContactRequest,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["contact_request", "created_at", "id"]

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"


class Block(models.Model):
    """A user does not want contact requests from another organisation's users."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks",
        verbose_name=_("user"),
    )
    blocked_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("blocked organisation"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["user", "blocked_organisation"], name="unique_block")
        ]

    def __str__(self):
        return f"{self.user} ⊘ {self.blocked_organisation}"


class AbuseReport(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    contact_request = models.ForeignKey(
        ContactRequest,
        on_delete=models.CASCADE,
        related_name="abuse_reports",
        verbose_name=_("contact request"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.contact_request}: {self.reason[:40]}"


class Forwarding(models.Model):
    """Staff forward a confidential (office-only) opportunity to a chosen organisation; the
    requester stays anonymous until they agree to reveal themselves."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="forwardings",
        verbose_name=_("opportunity"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="forwarded_opportunities",
        verbose_name=_("organisation"),
    )
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    note = models.TextField(_("note from the cluster office"), blank=True)
    is_identity_revealed = models.BooleanField(_("requester revealed"), default=False)
    created_at = models.DateTimeField(_("forwarded"), auto_now_add=True)

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "organisation"], name="unique_forwarding"
            )
        ]

    def __str__(self):
        return f"{self.opportunity} → {self.organisation}"
