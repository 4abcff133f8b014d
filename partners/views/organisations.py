"""Pages of the organisation directory: list, detail, register, edit, moderation."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners import hooks
from partners.forms.organisations import (
    DirectoryForm,
    OrganisationEditForm,
    OrganisationForm,
    RejectForm,
)
from partners.permissions import (
    can_edit_organisation,
    can_moderate_organisations,
    can_request_to_join,
    can_view_contact,
    can_view_people,
)
from partners.selectors.organisations import (
    OrganisationFilters,
    organisation_count,
    organisation_directory_list,
    organisation_facets,
    organisation_get,
    organisation_member_list,
    organisation_pending_list,
    organisation_search,
    organisation_search_suggestion,
    organisation_unit_list,
)
from partners.services.organisations import (
    organisation_approve,
    organisation_register,
    organisation_reject,
    organisation_update,
)

PAGE_SIZE = 20
SUGGEST_BELOW = 5  # "Did you mean …" when a search finds at most this many organisations


def directory(request):
    """Search, facets with counts, sorting, pagination. htmx requests get the results only."""
    filters = OrganisationFilters.from_params(request.GET)
    search = request.GET.get("q", "")
    sort = request.GET.get("sort", "")
    # the matches are found once, for the page, the count and the four facets
    matches = organisation_search(visible_to=request.user, search=search)
    organisations = organisation_directory_list(
        visible_to=request.user, search=matches, filters=filters, sort=sort
    )
    facets = organisation_facets(visible_to=request.user, search=matches, filters=filters)
    paginator = Paginator(organisations, PAGE_SIZE)
    paginator.count = organisation_count(facets=facets, filters=filters)  # known: no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    suggestion = ""
    if matches.is_active and page.paginator.count <= SUGGEST_BELOW:
        suggestion = organisation_search_suggestion(visible_to=request.user, search=matches)
    context = {
        "form": DirectoryForm(request.GET, facets=facets),
        "page": page,
        "search": search,
        "suggestion": suggestion,
        "suggestion_url": f"{reverse('organisations:directory')}?{urlencode({'q': suggestion})}",
        "is_filtered": bool(search.strip()) or not filters.is_empty,
    }
    template = (
        "partners/organisations/_directory_body.html"
        if request.htmx and not request.htmx.boosted
        else "partners/organisations/directory.html"
    )
    return render(request, template, context)


def detail(request, slug):
    organisation = organisation_get(visible_to=request.user, lookup=slug)
    people = [
        {
            "membership": membership,
            "person": membership.user,
            "email": membership.user.email
            if can_view_contact(request.user, membership.user, "email")
            else "",
            "phone": membership.user.phone
            if can_view_contact(request.user, membership.user, "phone")
            else "",
        }
        for membership in organisation_member_list(
            visible_to=request.user, organisation=organisation
        )
    ]
    context = {
        "organisation": organisation,
        "can_edit": can_edit_organisation(request.user, organisation),
        "can_request_to_join": can_request_to_join(request.user, organisation),
        "can_view_people": can_view_people(request.user),
        "people": people,
        "units": organisation_unit_list(visible_to=request.user, organisation=organisation),
    }
    for extra in hooks.organisation_page_context(organisation=organisation, user=request.user):
        context.update(extra)
    return render(request, "partners/organisations/detail.html", context)


@login_required
def register(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_register(actor=request.user, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. “%(name)s” is registered and waits for approval by the "
                    "cluster office; until then only you and the cluster office see it."
                )
                % {"name": organisation.name},
            )
            return redirect("organisations:detail", slug=organisation.slug)
    return render(
        request,
        "partners/organisations/form.html",
        {"form": form, "title": _("Register an organisation")},
    )


@login_required
def edit(request, slug):
    organisation = organisation_get(visible_to=request.user, lookup=slug)
    if not can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationEditForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(
                actor=request.user, organisation=organisation, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("organisations:detail", slug=organisation.slug)
    return render(
        request,
        "partners/organisations/form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": _("Edit %(name)s") % {"name": organisation.display_name},
        },
    )


def _require_moderator(request) -> None:
    if not can_moderate_organisations(request.user):
        raise PermissionDenied


@login_required
def moderation(request):
    _require_moderator(request)
    return render(
        request,
        "partners/organisations/moderation.html",
        {"organisations": organisation_pending_list(), "reject_form": RejectForm()},
    )


@login_required
@require_POST
def approve(request, slug):
    _require_moderator(request)
    organisation = organisation_get(visible_to=request.user, lookup=slug)
    try:
        organisation_approve(actor=request.user, organisation=organisation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” is approved.") % {"name": organisation.name})
    return redirect(reverse("organisations:moderation"))


@login_required
def reject(request, slug):
    _require_moderator(request)
    organisation = organisation_get(visible_to=request.user, lookup=slug)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_reject(
                actor=request.user,
                organisation=organisation,
                reason=form.cleaned_data["rejection_reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(name)s” is rejected.") % {"name": organisation.name})
        return redirect(reverse("organisations:moderation"))
    return render(
        request,
        "partners/organisations/reject.html",
        {"organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )
