import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from partners.models import Competence, Organisation
from spinportal.i18n import localized


class Project(models.Model):
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

    def __str__(self):
        return self.acronym

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
        _("budget share (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
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
        ]

    def __str__(self):
        return f"{self.organisation} – {self.project} ({self.get_role_display()})"
