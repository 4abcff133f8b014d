import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from spinportal.i18n import localized
from spinportal.markdown import RenderedMarkdownMixin, rendered


class Competence(models.Model):
    """A concept of the cluster's competence taxonomy (a tree, bilingual, with synonyms)."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("broader concept"),
    )
    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    synonyms = models.TextField(
        _("synonyms"), blank=True, help_text=_("Comma-separated, in both languages.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["position", "name_de"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.split(",") if s.strip()]


class Sector(models.Model):
    """An industry sector (energy supply, steel, chemicals, …)."""

    slug = models.SlugField(_("identifier"), max_length=60, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "name_de"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Organisation(RenderedMarkdownMixin, models.Model):
    class Kind(models.TextChoices):
        LARGE_ENTERPRISE = "large_enterprise", _("Large enterprise")
        SME = "sme", _("SME")
        STARTUP = "startup", _("Start-up")
        UNIVERSITY = "university", _("University")
        UNIVERSITY_APPLIED = "university_applied", _("University of applied sciences")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        PUBLIC_BODY = "public_body", _("Public body")
        ASSOCIATION = "association", _("Association or network")
        OTHER = "other", _("Other")

    INDUSTRY_KINDS = frozenset({Kind.LARGE_ENTERPRISE, Kind.SME, Kind.STARTUP})
    SCIENCE_KINDS = frozenset({Kind.UNIVERSITY, Kind.UNIVERSITY_APPLIED, Kind.RESEARCH_INSTITUTE})

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        INACTIVE = "inactive", _("Inactive")

    class SizeBand(models.TextChoices):
        UNKNOWN = "", _("not stated")
        MICRO = "1-9", _("1–9 employees")
        SMALL = "10-49", _("10–49 employees")
        MEDIUM = "50-249", _("50–249 employees")
        LARGE = "250-999", _("250–999 employees")
        VERY_LARGE = "1000+", _("1,000 or more employees")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organisations", verbose_name=_("sectors")
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9 -]{3,10}$", _("Enter a valid postcode."))],
    )
    city = models.CharField(_("city"), max_length=100, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public e-mail"), blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    size_band = models.CharField(
        _("size"), max_length=10, choices=SizeBand, blank=True, default=SizeBand.UNKNOWN
    )
    description_de = models.TextField(_("description (German, Markdown)"), blank=True)
    description_en = models.TextField(_("description (English, Markdown)"), blank=True)
    # the descriptions rendered and sanitised when saved (RenderedMarkdownMixin)
    description_html_de = models.TextField(editable=False, blank=True, default="")
    description_html_en = models.TextField(editable=False, blank=True, default="")
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    logo_thumbnail = models.ImageField(_("logo thumbnail"), upload_to="logos/", blank=True)
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="organisations", verbose_name=_("competences")
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Comma-separated free keywords.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
        verbose_name=_("parent organisation"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Filled by a database trigger on PostgreSQL (migration 0005); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            # the directory's default order: the first page without sorting every row
            models.Index(Lower("name"), "id", name="partners_org_name_lower"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="rejected_organisation_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="organisation_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    RENDERED = {"description_de": "description_html_de", "description_en": "description_html_en"}

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def description_html(self) -> str:
        return rendered(localized(self, "description_html"))

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_science(self) -> bool:
        return self.kind in self.SCIENCE_KINDS

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    """An organisation admin invites someone by e-mail (signed link, 7 days, single use)."""

    VALID_DAYS = 7

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        DECLINED = "declined", _("Declined")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    sent_at = models.DateTimeField(_("sent"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="open"),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation}"


class JoinRequest(models.Model):
    """A user asks to join an existing organisation; its admins approve or decline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("person"),
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="open"),
                name="one_open_join_request",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation}"


class PendingOrganisation(Organisation):
    """The moderation queue in the admin: organisations waiting for approval."""

    class Meta:
        proxy = True
        verbose_name = _("organisation awaiting approval")
        verbose_name_plural = _("organisations awaiting approval")
