"""Pages of contact requests: inbox and outbox, sending, answering, the conversation, blocks
and abuse reports. Requests one does not take part in answer 404, as if missing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matchmaking.forms import AbuseReportForm, ContactRequestForm, DeclineForm, MessageForm
from matchmaking.models import Block, ContactRequest
from matchmaking.permissions import (
    can_answer_contact_request,
    can_view_contact_data,
    can_withdraw_contact_request,
    can_write_message,
    is_contact_request_sender,
    is_requester_hidden,
)
from matchmaking.selectors import (
    DIRECTIONS,
    block_list,
    contact_request_get,
    contact_request_list,
    message_list,
    open_outgoing_count,
    opportunity_get,
)
from matchmaking.services.contact_requests import (
    abuse_report_create,
    block_create,
    block_delete,
    contact_request_accept,
    contact_request_create,
    contact_request_decline,
    contact_request_withdraw,
    message_create,
)
from partners.models import Organisation
from partners.permissions import visible_organisations_q

PAGE_SIZE = 20


@login_required
def contact_request_list_view(request):
    direction = request.GET.get("direction", "in")
    if direction not in DIRECTIONS:
        direction = "in"
    status = request.GET.get("status", "")
    page = Paginator(
        contact_request_list(user=request.user, direction=direction, status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "matchmaking/contact_requests/list.html",
        {
            "page": page,
            "direction": direction,
            "status": status,
            "statuses": ContactRequest.Status.choices,
            "open_outgoing": open_outgoing_count(user=request.user),
            "max_open": ContactRequest.MAX_OPEN_PER_USER,
        },
    )


@login_required
def contact_request_create_view(request):
    """?organisation=<slug> and/or ?opportunity=<public id>: from an organisation page, an
    opportunity page or a match. Hidden or missing opportunities answer 404."""
    opportunity = None
    if request.GET.get("opportunity"):
        opportunity = opportunity_get(visible_to=request.user, public_id=request.GET["opportunity"])
        if is_requester_hidden(request.user, opportunity):
            raise Http404("No such opportunity.")
    slug = request.GET.get("organisation", "")
    if slug:
        receiver = get_object_or_404(Organisation, slug=slug, status=Organisation.Status.ACTIVE)
    elif opportunity is not None:
        receiver = opportunity.organisation
    else:
        raise Http404("Nobody to contact.")
    form = ContactRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contact_request = contact_request_create(
                actor=request.user,
                sender_organisation=form.cleaned_data.get("sender_organisation"),
                receiver_organisation=receiver,
                opportunity=opportunity,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Your contact request to “%(name)s” has been sent.") % {"name": receiver.name},
            )
            return redirect(
                "matchmaking:contact_request_detail", public_id=contact_request.public_id
            )
    return render(
        request,
        "matchmaking/contact_requests/form.html",
        {"form": form, "receiver": receiver, "opportunity": opportunity},
        status=400 if request.method == "POST" else 200,
    )


def _contact_people(request, contact_request) -> list:
    """The other side's people whose e-mail and phone this user may now see: the sender for
    the receiving organisation, the person who accepted for the sender."""
    if not can_view_contact_data(request.user, contact_request):
        return []
    if is_contact_request_sender(request.user, contact_request):
        return [contact_request.answered_by] if contact_request.answered_by else []
    return [contact_request.sender]


@login_required
def contact_request_detail_view(request, public_id, message_form=None, status=200):
    contact_request = contact_request_get(visible_to=request.user, public_id=public_id)
    can_write = can_write_message(request.user, contact_request)
    context = {
        "contact_request": contact_request,
        "is_sender": is_contact_request_sender(request.user, contact_request),
        "can_answer": can_answer_contact_request(request.user, contact_request),
        "can_withdraw": can_withdraw_contact_request(request.user, contact_request),
        "can_write": can_write,
        "contact_people": _contact_people(request, contact_request),
        "messages_list": list(message_list(contact_request=contact_request)),
        "message_form": message_form or MessageForm(),
        "decline_form": DeclineForm(),
        "report_form": AbuseReportForm(),
        "is_blocked": Block.objects.filter(
            user=request.user, blocked_organisation=contact_request.sender_organisation
        ).exists(),
    }
    return render(request, "matchmaking/contact_requests/detail.html", context, status=status)


def _answer(request, public_id, service, success, **kwargs):
    contact_request = contact_request_get(visible_to=request.user, public_id=public_id)
    try:
        service(actor=request.user, contact_request=contact_request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("matchmaking:contact_request_detail", public_id=contact_request.public_id)


@login_required
@require_POST
def contact_request_accept_view(request, public_id):
    return _answer(
        request,
        public_id,
        contact_request_accept,
        _("Accepted. You now see each other's contact data and can write here."),
    )


@login_required
@require_POST
def contact_request_decline_view(request, public_id):
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _answer(
        request, public_id, contact_request_decline, _("The request is declined."), reason=reason
    )


@login_required
@require_POST
def contact_request_withdraw_view(request, public_id):
    return _answer(request, public_id, contact_request_withdraw, _("The request is withdrawn."))


@login_required
@require_POST
def message_create_view(request, public_id):
    contact_request = contact_request_get(visible_to=request.user, public_id=public_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_create(
                actor=request.user, contact_request=contact_request, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect(
                "matchmaking:contact_request_detail", public_id=contact_request.public_id
            )
    return contact_request_detail_view(request, public_id, message_form=form, status=400)


@login_required
@require_POST
def abuse_report_view(request, public_id):
    contact_request = contact_request_get(visible_to=request.user, public_id=public_id)
    form = AbuseReportForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Tell the cluster office what is wrong."))
        abuse_report_create(
            actor=request.user, contact_request=contact_request, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you. The cluster office will look into it."))
    return redirect("matchmaking:contact_request_detail", public_id=contact_request.public_id)


@login_required
def block_list_view(request):
    if request.method == "POST":
        # an organisation the user may not see answers 404, as if missing (a pending one)
        organisation = get_object_or_404(
            Organisation.objects.filter(visible_organisations_q(request.user)),
            slug=request.POST.get("organisation", ""),
        )
        try:
            block_create(actor=request.user, organisation=organisation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("You will no longer receive contact requests from “%(name)s”.")
                % {"name": organisation.name},
            )
        return redirect("matchmaking:block_list")
    return render(
        request,
        "matchmaking/contact_requests/blocks.html",
        {"blocks": block_list(user=request.user)},
    )


@login_required
@require_POST
def block_delete_view(request, pk):
    block = get_object_or_404(Block, pk=pk, user=request.user)
    block_delete(actor=request.user, block=block)
    messages.success(request, _("The block is lifted."))
    return redirect("matchmaking:block_list")
