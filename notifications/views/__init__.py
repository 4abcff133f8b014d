from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import User
from notifications.emails import read_unsubscribe_token
from notifications.events import EVENTS, Frequency
from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.selectors import notification_list, unread_count
from notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    preference_set,
    preferences_for,
)


def _render_line(notification: Notification) -> str:
    event = EVENTS.get(notification.event_type)
    if event is None:
        return notification.event_type
    return render_to_string(
        f"{event.template_base}.subject.txt", {**notification.context, "event": event}
    ).strip()


@login_required
def notification_centre(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notification_list(user=request.user, unread_only=unread_only), 25).get_page(
        request.GET.get("page")
    )
    for notification in page.object_list:
        notification.line = _render_line(notification)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "unread": unread_count(user=request.user)},
    )


@login_required
def unread_badge(request):
    """The unread count for the navigation, fetched by htmx after the page loaded, so that
    pages themselves need no extra query."""
    return render(request, "notifications/badge.html", {"unread": unread_count(user=request.user)})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = notification_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    rows = preferences_for(request.user)
    form = PreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        for event_type, frequency in form.changed_frequencies():
            preference_set(user=request.user, event_type=event_type, frequency=frequency)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
def unsubscribe(request, token: str):
    try:
        user_id, event_type = read_unsubscribe_token(token)
        user = User.objects.get(pk=user_id, is_active=True)
        event = EVENTS[event_type]
    except (signing.BadSignature, User.DoesNotExist, KeyError, ValueError):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        preference_set(user=user, event_type=event_type, frequency=Frequency.OFF)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)
        return render(request, "notifications/unsubscribe_done.html", {"event": event})
    return render(request, "notifications/unsubscribe.html", {"event": event, "token": token})
