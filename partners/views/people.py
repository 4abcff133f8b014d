"""Pages for people and memberships: directory, person, profile, member management, joining,
invitations and leaving. Anonymous visitors see no people: every page asks them to log in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from partners import permissions
from partners.admin_people import people_csv_response
from partners.forms.people import (
    InvitationForm,
    JoinRequestForm,
    PeopleSearchForm,
    ProfileForm,
    RoleForm,
)
from partners.models import Membership
from partners.selectors import people as selectors
from partners.services import invitations, join_requests, memberships
from partners.services import people as people_services
from partners.services.invitations import InvitationProblem

PAGE_SIZE = 24


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Directory and person -------------------------------------------------------------------


def _search(request):
    form = PeopleSearchForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "search": form.cleaned_data["q"],
            "organisation": form.cleaned_data["organisation"],
            "competence": form.cleaned_data["competence"],
        }
    return form, filters


@login_required
def directory(request):
    """The people directory and expert search (logged-in partners only)."""
    if not permissions.can_view_people(request.user):
        raise PermissionDenied
    form, filters = _search(request)
    people = selectors.person_list(visible_to=request.user, **filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page.object_list:
        selectors.person_decorate(person, viewer=request.user)
    context = {
        "form": form,
        "page": page,
        "is_filtered": any(filters.values()) if filters else False,
        "can_export": permissions.can_export_people(request.user),
    }
    return render(request, "partners/people/directory.html", context)


@login_required
def person_detail(request, pk: int):
    person = selectors.person_get(visible_to=request.user, pk=pk)
    selectors.person_decorate(person, viewer=request.user)
    return render(request, "partners/people/detail.html", {"person": person})


@login_required
def people_export(request):
    """CSV for the cluster office; contact data only where the person shares it."""
    if not permissions.can_export_people(request.user):
        raise PermissionDenied
    _form, filters = _search(request)
    return people_csv_response(selectors.person_list(visible_to=request.user, **filters))


# --- Own profile and memberships ----------------------------------------------------------


@login_required
def profile(request):
    # A fresh instance: a failed form must not change the user shown in the page header.
    instance = User.objects.get(pk=request.user.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=instance)
        if form.is_valid():
            data = {field: form.cleaned_data[field] for field in ProfileForm.Meta.fields}
            people_services.profile_update(
                user=request.user,
                data=data,
                photo=form.cleaned_data["photo_upload"],
                remove_photo=form.cleaned_data["remove_photo"],
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect("people:profile")
    else:
        form = ProfileForm(instance=instance)
    return render(request, "partners/people/profile.html", {"form": form, "person": instance})


@login_required
def my_organisations(request):
    context = {
        "memberships": selectors.membership_list_for_user(user=request.user),
        "join_requests": selectors.join_request_list_for_user(user=request.user),
    }
    return render(request, "partners/people/my_organisations.html", context)


@login_required
@require_POST
def membership_leave(request, slug: str):
    membership = selectors.own_membership_get(user=request.user, slug=slug)
    try:
        memberships.membership_leave(user=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("You have left %(organisation)s.")
            % {"organisation": membership.organisation.display_name},
        )
    return redirect("people:my_organisations")


@login_required
@require_POST
def join_request_withdraw(request, pk: int):
    join_request = selectors.join_request_list_for_user(user=request.user).filter(pk=pk).first()
    if join_request is None:
        raise Http404
    try:
        join_requests.join_request_withdraw(user=request.user, join_request=join_request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("people:my_organisations")


# --- Joining --------------------------------------------------------------------------------


@login_required
def join(request, slug: str):
    """Ask to join an organisation."""
    organisation = selectors.organisation_get(visible_to=request.user, slug=slug)
    if organisation.pk in permissions.member_organisation_ids(request.user):
        messages.info(
            request,
            _("You are already a member of %(organisation)s.")
            % {"organisation": organisation.display_name},
        )
        return redirect("people:my_organisations")
    if not permissions.can_request_to_join(request.user, organisation):
        raise PermissionDenied
    open_request = selectors.open_join_request_get(user=request.user, organisation=organisation)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and open_request is None and form.is_valid():
        try:
            join_requests.join_request_create(
                user=request.user, organisation=organisation, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your request has been sent to the administrators of %(organisation)s.")
                % {"organisation": organisation.display_name},
            )
            return redirect("people:my_organisations")
    context = {"organisation": organisation, "form": form, "open_request": open_request}
    return render(request, "partners/people/join.html", context)


# --- Invitations (the invitee's side) -------------------------------------------------------

PROBLEM_STATUS = {
    InvitationProblem.FORGED: 400,
    InvitationProblem.EXPIRED: 410,
    InvitationProblem.REVOKED: 410,
    InvitationProblem.ACCEPTED: 410,
    InvitationProblem.DECLINED: 410,
    InvitationProblem.SUPERSEDED: 410,
    InvitationProblem.WRONG_ADDRESS: 403,
    InvitationProblem.ALREADY_MEMBER: 409,
}


def _invitation_problem(request, invitation, problem: str):
    context = {"invitation": invitation, "problem": problem}
    return render(
        request,
        "partners/people/invitation_problem.html",
        context,
        status=PROBLEM_STATUS[problem],
    )


def invitation_accept(request, token: str):
    """The page behind the link in the invitation e-mail.

    Anonymous visitors see whom the invitation is for and log in or sign up, coming back here
    through ?next. Accepting needs the invited address as a verified address of the logged-in
    account (see invitations.invitation_accept).
    """
    check = invitations.invitation_check(token)
    invitation = check.invitation
    if check.problem:
        return _invitation_problem(request, invitation, check.problem)
    if not request.user.is_authenticated:
        next_query = urlencode({"next": request.get_full_path()})
        context = {
            "invitation": invitation,
            "login_url": f"{reverse('account_login')}?{next_query}",
            "signup_url": f"{reverse('account_signup')}?{next_query}",
        }
        return render(request, "partners/people/invitation_anonymous.html", context)
    if not memberships.user_has_verified_address(request.user, invitation.email):
        return _invitation_problem(request, invitation, InvitationProblem.WRONG_ADDRESS)
    if invitation.organisation_id in permissions.member_organisation_ids(request.user):
        return _invitation_problem(request, invitation, InvitationProblem.ALREADY_MEMBER)
    if request.method == "POST":
        try:
            invitations.invitation_accept(user=request.user, invitation=invitation)
        except ValidationError as error:
            return _invitation_problem(request, invitation, error.code)
        messages.success(
            request,
            _("Welcome to %(organisation)s!") % {"organisation": invitation.organisation.name},
        )
        return redirect("people:my_organisations")
    context = {
        "invitation": invitation,
        "expires_at": invitations.invitation_expires_at(invitation),
    }
    return render(request, "partners/people/invitation_accept.html", context)


# --- Member management (organisation admins and staff) -------------------------------------


def _managed_organisation(request, slug: str):
    """The organisation, 404 if invisible, 403 if the user may not manage its members."""
    organisation = selectors.organisation_get(visible_to=request.user, slug=slug)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    return organisation


def _members_page(request, organisation, invite_form=None):
    context = {
        "organisation": organisation,
        "members": selectors.member_list(organisation=organisation),
        "invitations": selectors.invitation_list_open(organisation=organisation),
        "join_requests": selectors.join_request_list_open(organisation=organisation),
        "invite_form": invite_form or InvitationForm(organisation=organisation),
        "roles": Membership.Role.choices,
    }
    return render(request, "partners/people/members.html", context)


@login_required
def members(request, slug: str):
    organisation = _managed_organisation(request, slug)
    return _members_page(request, organisation)


def _back(organisation):
    return redirect("people:members", slug=organisation.slug)


@login_required
@require_POST
def invitation_create(request, slug: str):
    organisation = _managed_organisation(request, slug)
    form = InvitationForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            invitation = invitations.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _back(organisation)
    return _members_page(request, organisation, invite_form=form)


def _member_action(request, slug: str, action, success_message: str):
    """Runs one admin action; a refused action (e.g. the last admin) becomes a message."""
    organisation = _managed_organisation(request, slug)
    try:
        action(organisation)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success_message)
    return _back(organisation)


@login_required
@require_POST
def invitation_resend(request, slug: str, pk: int):
    def action(organisation):
        invitation = selectors.invitation_get(organisation=organisation, pk=pk)
        invitations.invitation_resend(actor=request.user, invitation=invitation)

    return _member_action(request, slug, action, _("The invitation has been sent again."))


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    def action(organisation):
        invitation = selectors.invitation_get(organisation=organisation, pk=pk)
        invitations.invitation_revoke(actor=request.user, invitation=invitation)

    return _member_action(request, slug, action, _("The invitation has been revoked."))


@login_required
@require_POST
def membership_role_change(request, slug: str, pk: int):
    def action(organisation):
        membership = selectors.membership_get(organisation=organisation, pk=pk)
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["role"])
        memberships.membership_role_change(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )

    return _member_action(request, slug, action, _("The role has been changed."))


@login_required
@require_POST
def membership_remove(request, slug: str, pk: int):
    def action(organisation):
        membership = selectors.membership_get(organisation=organisation, pk=pk)
        memberships.membership_remove(actor=request.user, membership=membership)

    return _member_action(request, slug, action, _("The member has been removed."))


@login_required
@require_POST
def join_request_approve(request, slug: str, pk: int):
    def action(organisation):
        join_request = selectors.join_request_get(organisation=organisation, pk=pk)
        join_requests.join_request_approve(actor=request.user, join_request=join_request)

    return _member_action(request, slug, action, _("The request has been approved."))


@login_required
@require_POST
def join_request_decline(request, slug: str, pk: int):
    def action(organisation):
        join_request = selectors.join_request_get(organisation=organisation, pk=pk)
        join_requests.join_request_decline(actor=request.user, join_request=join_request)

    return _member_action(request, slug, action, _("The request has been declined."))
