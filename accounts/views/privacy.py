"""Privacy pages: a copy of one's data and deleting one's account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import AccountDeleteForm
from accounts.privacy import account_delete, deletion_blockers, user_data_export


def _render_privacy(request, form, status=200):
    context = {
        "form": form,
        "deletion_blockers": deletion_blockers(user=request.user),
    }
    return render(request, "accounts/privacy.html", context, status=status)


@login_required
@require_GET
def privacy(request):
    return _render_privacy(request, AccountDeleteForm(user=request.user))


@login_required
@require_GET
def privacy_export(request):
    data = user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"spin-portal-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_delete_view(request):
    form = AccountDeleteForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_privacy(request, form)
    try:
        account_delete(user=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_privacy(request, form)
    logout(request)
    messages.success(request, _("Your account has been deleted."))
    return redirect("home")
