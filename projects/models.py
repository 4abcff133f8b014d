import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from partners.models import Competence, Organisation
from spinportal.i18n import localized
from spinportal.markdown import RenderedMarkdownMixin, rendered


class Project(RenderedMarkdownMixin, models.Model):
    class Stage(models.TextChoices):
        IDEA = "idea", _("Idea")
        PREPARATION = "preparation", _("In preparation")
        SUBMITTED = "submitted", _("Submitted")
        RUNNING = "running", _("Funded and running")
        COMPLETED = "completed", _("Completed")
        NOT_PURSUED = "not_pursued", _("Not pursued")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        CONSORTIUM = "consortium", _("Consortium only")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    acronym = models.CharField(_("acronym"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title_de = models.CharField(_("title (German)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    summary_de = models.TextField(_("summary (German)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True)
    description_html = models.TextField(editable=False, blank=True, default="")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage, default=Stage.IDEA)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    funding_programme = models.CharField(_("funding programme"), max_length=200, blank=True)
    funding_reference = models.CharField(_("funding reference"), max_length=100, blank=True)
    total_budget = models.DecimalField(
        _("total budget (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_amount = models.DecimalField(
        _("funding amount (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="projects", verbose_name=_("competences")
    )
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="project-logos/", blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility, default=Visibility.PUBLIC
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["acronym"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(funding_amount__isnull=True)
                | Q(total_budget__isnull=True)
                | Q(funding_amount__lte=F("total_budget")),
                name="project_funding_within_budget",
            ),
        ]

    RENDERED = {"description": "description_html"}

    def __str__(self):
        return self.acronym

    @property
    def description_rendered(self) -> str:
        return rendered(self.description_html)

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


class Participation(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTNER = "partner", _("Partner")
        ASSOCIATED = "associated", _("Associated partner")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("project"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=14, choices=Role, default=Role.PARTNER)
    budget_share = models.DecimalField(
        _("budget share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the project budget in percent."),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["project", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="unique_participation"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(role="coordinator"),
                name="one_coordinator_per_project",
            ),
            models.CheckConstraint(
                condition=Q(budget_share__isnull=True)
                | (Q(budget_share__gte=0) & Q(budget_share__lte=100)),
                name="participation_budget_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="participation_leaves_after_joining",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.project} ({self.get_role_display()})"


class TeamMember(models.Model):
    """A person in the project team with a project role."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Project lead")
        WORK_PACKAGE_LEAD = "wp_lead", _("Work-package lead")
        MEMBER = "member", _("Member")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="team", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_roles",
        verbose_name=_("person"),
    )
    role = models.CharField(_("project role"), max_length=10, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["project", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_team_member")
        ]

    def __str__(self):
        return f"{self.user} – {self.project} ({self.get_role_display()})"


class ParticipationRequest(models.Model):
    """An organisation admin asks for their organisation to join a project."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="participation_requests",
        verbose_name=_("project"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="participation_requests",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("requested role"),
        max_length=14,
        choices=Participation.Role,
        default=Participation.Role.PARTNER,
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
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
        verbose_name = _("participation request")
        verbose_name_plural = _("participation requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"],
                condition=Q(status="open"),
                name="one_open_participation_request",
            )
        ]

    def __str__(self):
        return f"{self.organisation} → {self.project}"


class WorkPackage(models.Model):
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="work_packages",
        verbose_name=_("project"),
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_work_packages",
        verbose_name=_("lead organisation"),
    )
    start_month = models.PositiveSmallIntegerField(
        _("start month"), validators=[MinValueValidator(1)]
    )
    end_month = models.PositiveSmallIntegerField(_("end month"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="unique_work_package"),
            models.CheckConstraint(
                condition=Q(start_month__gte=1) & Q(end_month__gte=F("start_month")),
                name="work_package_months_in_order",
            ),
        ]

    def __str__(self):
        return f"WP{self.number} {self.title}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("Milestone")
        DELIVERABLE = "deliverable", _("Deliverable")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        LATE = "late", _("Late")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("work package"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.MILESTONE)
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_milestones",
        verbose_name=_("responsible organisation"),
    )
    status = models.CharField(_("status"), max_length=6, choices=Status, default=Status.OPEN)

    class Meta:
        verbose_name = _("milestone or deliverable")
        verbose_name_plural = _("milestones and deliverables")
        ordering = ["project", "due_date", "title"]

    def __str__(self):
        return self.title


class NewsPost(RenderedMarkdownMixin, models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="news", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text (Markdown)"))
    text_html = models.TextField(editable=False, blank=True, default="")
    published_at = models.DateTimeField(_("publication date"))
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Otherwise only the consortium sees it.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering = ["-published_at", "-id"]

    RENDERED = {"text": "text_html"}

    def __str__(self):
        return self.title

    @property
    def text_rendered(self) -> str:
        return rendered(self.text_html)


class Document(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Otherwise only the consortium sees it.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["project", "title"]

    def __str__(self):
        return self.title


def private_storage():
    return storages["private"]


def document_upload_path(instance, filename: str) -> str:
    # The stored name never reuses the uploaded one: no path tricks, no guessable names.
    return f"documents/{instance.document.project_id}/{uuid.uuid4().hex}"


class DocumentVersion(models.Model):
    """One uploaded file of a document. Stored outside MEDIA_ROOT, served by a checked view."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(
        _("file"), upload_to=document_upload_path, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"
