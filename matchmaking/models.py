import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matchmaking.fields import StoredJSONField
from partners.models import Competence, Organisation
from projects.models import Project
from spinportal.markdown import RenderedMarkdownMixin, rendered


class PartnerKind(models.TextChoices):
    """Kinds of partner an opportunity seeks (groups of Organisation.Kind)."""

    INDUSTRY = "industry", _("Industry (large enterprise)")
    SME = "sme", _("SME or start-up")
    SCIENCE = "science", _("Science (university, research institute)")
    PUBLIC = "public", _("Public body")
    ASSOCIATION = "association", _("Association or network")


class Opportunity(RenderedMarkdownMixin, models.Model):
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
    description_html = models.TextField(editable=False, blank=True, default="")
    language = models.CharField(
        _("language of the text"), max_length=2, choices=settings.LANGUAGES, default="de"
    )
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="opportunities", verbose_name=_("competences")
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated free keywords, e.g. competences that are not in the list."),
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
        ]

    RENDERED = {"description": "description_html"}

    def __str__(self):
        return self.title

    @property
    def description_rendered(self) -> str:
        return rendered(self.description_html)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class Embedding(models.Model):
    """The vectors of one exact profile text under one model: row 0 the whole text as a
    passage, row 1 as a query, then one row per sentence (query mode). Keyed by a hash of
    model and text, so identical texts are embedded once."""

    key = models.CharField(_("content hash"), max_length=64, unique=True)
    model = models.CharField(_("model"), max_length=100)
    dimensions = models.PositiveSmallIntegerField(_("dimensions"))
    vectors = models.BinaryField(_("vectors (float32)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")

    def __str__(self):
        return f"{self.model} {self.key[:12]}"


class MatchingProfile(models.Model):
    """What the engine compares, one row per organisation (opportunity empty) and per
    opportunity: its text, words, concepts and traits, derived on every save by a task
    (engine.profiles), with its embedding. Only rows with an embedding take part."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    opportunity = models.OneToOneField(
        Opportunity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matching_profile",
        verbose_name=_("opportunity"),
    )
    is_active = models.BooleanField(_("takes part in matching"), default=True)
    kind = models.CharField(_("kind"), max_length=8, blank=True)  # "" for an organisation
    language = models.CharField(_("language"), max_length=2)
    text = models.TextField(_("text"))
    sentences = models.JSONField(_("sentences"), default=list)
    terms = models.JSONField(_("terms"), default=dict)  # lemma → weight (matchmaking.text)
    concepts = models.JSONField(_("concepts"), default=dict)  # Competence id → weight
    organisation_kind = models.CharField(_("organisation kind"), max_length=20)
    flags = models.JSONField(_("traits"), default=list)  # scoring.Traits flag names
    sought = models.JSONField(_("partner kinds sought"), default=list)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    embedding = models.ForeignKey(
        Embedding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("embedding"),
    )
    error = models.TextField(_("last embedding error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("matching profile")
        verbose_name_plural = _("matching profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(opportunity__isnull=True),
                name="one_matching_profile_per_organisation",
            )
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.opportunity_id or '-'}"


class Match(models.Model):
    """One stored suggestion for an opportunity: an organisation, with its best
    counter-opportunity if it has one. Written by the engine; feedback lives in MatchFeedback
    so that it survives. The list is ordered by score, then organisation id."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("opportunity"),
        db_index=False,  # the (opportunity, target_organisation) constraint serves it
    )
    target_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("matching organisation"),
    )
    target_opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.SET_NULL,  # the card stays until the engine has recomputed it
        null=True,
        blank=True,
        related_name="matched_by",
        verbose_name=_("best matching opportunity"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    explanation = StoredJSONField(_("explanation"), default=dict)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["opportunity", "-score", "target_organisation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="match_score_0_100"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "target_organisation"], name="one_match_per_organisation"
            ),
        ]
        indexes = [models.Index(fields=["opportunity", "-score"], name="match_ranked")]

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
