"""Forms for work packages, milestones, news and documents. The services validate the rules
that need the project (months, dates, consortium); their errors land on the named field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Document, Milestone, NewsPost, WorkPackage
from projects.selectors.workplan import consortium_organisation_list, work_package_list
from projects.uploads import ACCEPT_ATTRIBUTE, check_upload, max_document_bytes


class ServiceErrorsMixin:
    def _post_clean(self):
        # The service validates the whole row; skip the ModelForm's own instance validation
        # so that errors are not reported twice.
        pass

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WorkPackageForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = WorkPackage
        fields = ["number", "title", "lead_organisation", "start_month", "end_month"]
        help_texts = {
            "start_month": _("Project month, counted from 1 at the project start."),
            "end_month": _("Project month in which the work package ends."),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = consortium_organisation_list(project=project)


class MilestoneForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "title", "due_date", "work_package", "responsible_organisation", "status"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_package"].queryset = work_package_list(project=project)
        self.fields["responsible_organisation"].queryset = consortium_organisation_list(
            project=project
        )


class NewsPostForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = NewsPost
        fields = ["title", "text", "published_at", "is_public"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 10}),
            "published_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "text": _("Markdown: **bold**, *italic*, lists, links."),
            "published_at": _("Posts with a future date are shown from that moment on."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["published_at"].initial = timezone.localtime().replace(
                second=0, microsecond=0
            )


def _file_help_text() -> str:
    return _(
        "PDF, Word/Excel/PowerPoint (docx, xlsx, pptx), OpenDocument (odt, ods, odp), or a "
        "PNG, JPEG or WebP image; at most %(limit)d MB. The type is checked by content."
    ) % {"limit": max_document_bytes() // (1024 * 1024)}


class DocumentFileField(forms.FileField):
    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        return check_upload(uploaded) if uploaded else uploaded


class DocumentForm(ServiceErrorsMixin, forms.ModelForm):
    file = DocumentFileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE})
    )

    class Meta:
        model = Document
        fields = ["title", "description", "is_public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help_text()

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "upload": self.cleaned_data["file"]}


class DocumentEditForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "description", "is_public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DocumentVersionForm(ServiceErrorsMixin, forms.Form):
    file = DocumentFileField(
        label=_("New version"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help_text()

    def service_arguments(self) -> dict:
        return {"upload": self.cleaned_data["file"]}
