"""Pages of opportunities: list, create, detail with ranked matches, edit, status changes,
feedback on matches, confidential forwarding, and the cluster office's statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matchmaking.forms import ForwardingForm, OpportunityFilterForm, OpportunityForm, OutcomeForm
from matchmaking.models import Forwarding, PartnerKind
from matchmaking.permissions import (
    can_create_opportunity,
    can_forward_opportunity,
    can_manage_opportunity,
    can_track_match,
    can_view_statistics,
    is_requester_hidden,
)
from matchmaking.selectors import (
    OpportunityFilters,
    explanation_summary,
    forwarding_list,
    match_outcome_statistics,
    matches_for_user,
    opportunity_get,
    opportunity_list,
    opportunity_match_list,
    opportunity_matches_named,
    user_forwarding_list,
)
from matchmaking.services.opportunities import (
    forwarding_create,
    forwarding_reveal_identity,
    match_dismiss,
    match_outcome_set,
    match_restore,
    opportunity_create,
    opportunity_update,
)
from partners.models import Organisation
from partners.permissions import member_organisation_ids

PAGE_SIZE = 20


@login_required
def opportunity_list_view(request):
    filters = OpportunityFilters.from_params(request.GET)
    page = Paginator(
        opportunity_list(visible_to=request.user, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for opportunity in page.object_list:
        opportunity.is_requester_hidden = is_requester_hidden(request.user, opportunity)
    context = {
        "form": OpportunityFilterForm(request.GET),
        "page": page,
        "is_filtered": not filters.is_empty,
        "can_create": can_create_opportunity(request.user),
    }
    template = (
        "matchmaking/opportunities/_list_body.html"
        if request.htmx and not request.htmx.boosted
        else "matchmaking/opportunities/list.html"
    )
    return render(request, template, context)


@login_required
def matches_for_you_view(request):
    """All current suggestions for the user's organisations (the home page shows the top 5)."""
    return render(
        request,
        "matchmaking/matches_for_you.html",
        {"matches": matches_for_user(user=request.user, limit=50)},
    )


@login_required
def opportunity_create_view(request):
    if not can_create_opportunity(request.user):
        raise PermissionDenied
    form = OpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        is_publishing = "publish" in request.POST
        try:
            opportunity = opportunity_create(
                actor=request.user,
                status="published" if is_publishing else "draft",
                **form.service_arguments(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The opportunity is published.")
                if is_publishing
                else _("The draft is saved; only your organisation sees it."),
            )
            return redirect("matchmaking:opportunity_detail", public_id=opportunity.public_id)
    return render(
        request,
        "matchmaking/opportunities/form.html",
        {"form": form, "title": _("New offer or request")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def opportunity_detail_view(request, public_id):
    opportunity = opportunity_get(visible_to=request.user, public_id=public_id)
    can_manage = can_manage_opportunity(request.user, opportunity)
    context = {
        "opportunity": opportunity,
        "can_manage": can_manage,
        "is_requester_hidden": is_requester_hidden(request.user, opportunity),
        "is_own_organisation": opportunity.organisation_id in member_organisation_ids(request.user),
        "can_forward": can_forward_opportunity(request.user, opportunity),
        "partner_kind_labels": [
            PartnerKind(kind).label for kind in opportunity.partner_kinds if kind in PartnerKind
        ],
    }
    if can_manage:
        context["matches"] = opportunity_matches_named(opportunity=opportunity)
        for match in context["matches"]:
            match.summary = explanation_summary(match.explanation)
        context["dismissed_matches"] = list(
            opportunity_match_list(opportunity=opportunity, is_dismissed=True)
        )
        context["outcome_form"] = OutcomeForm()
        context["forwardings"] = (
            list(forwarding_list(opportunity=opportunity))
            if opportunity.visibility == opportunity.Visibility.OFFICE
            else []
        )
    else:
        context["my_forwardings"] = list(
            user_forwarding_list(user=request.user, opportunity=opportunity)
        )
    return render(request, "matchmaking/opportunities/detail.html", context)


def _managed(request, public_id):
    opportunity = opportunity_get(visible_to=request.user, public_id=public_id)
    if not can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied
    return opportunity


@login_required
def opportunity_edit_view(request, public_id):
    opportunity = _managed(request, public_id)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity_update(
                actor=request.user, opportunity=opportunity, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The opportunity has been saved."))
            return redirect("matchmaking:opportunity_detail", public_id=opportunity.public_id)
    return render(
        request,
        "matchmaking/opportunities/form.html",
        {"form": form, "opportunity": opportunity, "title": _("Edit “%s”") % opportunity.title},
        status=400 if request.method == "POST" else 200,
    )


STATUS_MESSAGES = {
    "published": _("The opportunity is published."),
    "closed": _("The opportunity is closed; it no longer appears in matches."),
    "draft": _("The opportunity is a draft again; only your organisation sees it."),
}


@login_required
@require_POST
def opportunity_status_view(request, public_id, status):
    opportunity = _managed(request, public_id)
    try:
        opportunity_update(actor=request.user, opportunity=opportunity, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(STATUS_MESSAGES[status]))
    return redirect("matchmaking:opportunity_detail", public_id=opportunity.public_id)


def _organisation(slug) -> Organisation:
    return get_object_or_404(Organisation.objects.only("id", "name", "slug"), slug=slug)


@login_required
@require_POST
def match_feedback_view(request, public_id, slug, action):
    """dismiss / restore (owner) or outcome (owner or the matched organisation)."""
    opportunity = opportunity_get(visible_to=request.user, public_id=public_id)
    organisation = _organisation(slug)
    if not can_track_match(request.user, opportunity, organisation):
        raise PermissionDenied
    if action in ("dismiss", "restore") and not can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied
    try:
        if action == "dismiss":
            match_dismiss(actor=request.user, opportunity=opportunity, organisation=organisation)
            messages.success(
                request,
                _("“%(name)s” is marked as not relevant and will not be suggested again.")
                % {"name": organisation.name},
            )
        elif action == "restore":
            match_restore(actor=request.user, opportunity=opportunity, organisation=organisation)
            messages.success(request, _("The suggestion is back."))
        else:
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose an outcome from the list."))
            match_outcome_set(
                actor=request.user,
                opportunity=opportunity,
                organisation=organisation,
                outcome=form.cleaned_data["outcome"],
            )
            messages.success(request, _("The outcome has been recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("matchmaking:opportunity_detail", public_id=opportunity.public_id)


@login_required
def opportunity_forward_view(request, public_id):
    opportunity = opportunity_get(visible_to=request.user, public_id=public_id)
    if not can_forward_opportunity(request.user, opportunity):
        raise PermissionDenied
    form = ForwardingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            forwarding_create(
                actor=request.user,
                opportunity=opportunity,
                organisation=form.cleaned_data["organisation"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The request has been forwarded anonymously."))
            return redirect("matchmaking:opportunity_detail", public_id=opportunity.public_id)
    return render(
        request,
        "matchmaking/opportunities/forward.html",
        {"form": form, "opportunity": opportunity},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def forwarding_reveal_view(request, public_id, pk):
    opportunity = _managed(request, public_id)
    forwarding = get_object_or_404(Forwarding, pk=pk, opportunity=opportunity)
    forwarding_reveal_identity(actor=request.user, forwarding=forwarding)
    messages.success(
        request,
        _("“%(name)s” now sees that the request is yours.")
        % {"name": forwarding.organisation.name},
    )
    return redirect("matchmaking:opportunity_detail", public_id=opportunity.public_id)


@login_required
def statistics_view(request):
    if not can_view_statistics(request.user):
        raise PermissionDenied
    return render(
        request, "matchmaking/statistics.html", {"statistics": match_outcome_statistics()}
    )
