"""Pages where organisation admins (and staff) manage their webhooks."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from notifications import permissions
from notifications.forms.webhooks import WebhookForm, WebhookReplayForm
from notifications.selectors import webhook_deliveries, webhook_list
from notifications.webhooks import (
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_replay,
    webhook_rotate_secret,
    webhook_update,
)
from partners.models import Organisation
from partners.permissions import admin_organisation_ids, is_staff


def _endpoint(request, pk: int):
    """404 for a webhook the user may not even see (another organisation's)."""
    return get_object_or_404(webhook_list(user=request.user), pk=pk)


def _manageable_organisations(user):
    organisations = Organisation.objects.order_by("name")
    if is_staff(user):
        return organisations
    return organisations.filter(pk__in=admin_organisation_ids(user))


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def webhook_list_page(request):
    return render(
        request,
        "notifications/webhooks/list.html",
        {
            "endpoints": webhook_list(user=request.user),
            "can_create": permissions.can_create_webhooks(request.user),
        },
    )


@login_required
def webhook_create_page(request):
    if not permissions.can_create_webhooks(request.user):
        raise PermissionDenied
    form = WebhookForm(request.POST or None, organisations=_manageable_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            # rendered, not redirected: the secret is shown once and stored nowhere else
            return render(
                request,
                "notifications/webhooks/secret.html",
                {"endpoint": endpoint, "secret": secret, "created": True},
                status=201,
            )
    return render(request, "notifications/webhooks/form.html", {"form": form, "endpoint": None})


@login_required
def webhook_detail_page(request, pk: int):
    """The webhook, its delivery log and (POST) the replay of a time range."""
    endpoint = _endpoint(request, pk)
    now = timezone.localtime().replace(second=0, microsecond=0)
    replay_form = WebhookReplayForm(
        request.POST or None,
        initial={"since": now - dt.timedelta(days=1), "until": now},
    )
    if request.method == "POST" and replay_form.is_valid():
        try:
            count = webhook_replay(
                actor=request.user,
                endpoint=endpoint,
                since=replay_form.cleaned_data["since"],
                until=replay_form.cleaned_data["until"],
            )
        except ValidationError as error:
            _apply_errors(replay_form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d event is sent again.", "%(count)d events are sent again.", count
                )
                % {"count": count},
            )
            return redirect("notifications:webhook_detail", pk=endpoint.pk)
    return render(
        request,
        "notifications/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "deliveries": webhook_deliveries(endpoint=endpoint)[:50],
            "replay_form": replay_form,
        },
    )


@login_required
def webhook_edit_page(request, pk: int):
    endpoint = _endpoint(request, pk)
    initial = {
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "is_active": endpoint.is_active,
    }
    form = WebhookForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_update(
                actor=request.user,
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("notifications:webhook_detail", pk=endpoint.pk)
    return render(request, "notifications/webhooks/form.html", {"form": form, "endpoint": endpoint})


@login_required
def webhook_delete_page(request, pk: int):
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        webhook_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("The webhook was deleted."))
        return redirect("notifications:webhooks")
    return render(request, "notifications/webhooks/delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def webhook_rotate_page(request, pk: int):
    endpoint = _endpoint(request, pk)
    secret = webhook_rotate_secret(actor=request.user, endpoint=endpoint)
    return render(
        request,
        "notifications/webhooks/secret.html",
        {"endpoint": endpoint, "secret": secret, "created": False},
    )


@login_required
@require_POST
def webhook_ping_page(request, pk: int):
    endpoint = _endpoint(request, pk)
    webhook_ping(actor=request.user, endpoint=endpoint)
    messages.success(request, _("A test event was queued. It appears in the delivery log."))
    return redirect("notifications:webhook_detail", pk=endpoint.pk)
