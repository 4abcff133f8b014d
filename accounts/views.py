import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenCreateForm
from accounts.selectors import api_token_list
from accounts.services import api_token_create, api_token_revoke


@login_required
def api_tokens(request):
    new_key = None
    if request.method == "POST":
        form = ApiTokenCreateForm(request.POST, user=request.user)
        if form.is_valid():
            expires_on = form.cleaned_data["expires_on"]
            expires_at = (
                timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
                if expires_on
                else None
            )
            token, new_key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=expires_at,
            )
            messages.success(
                request,
                _("Token “%(name)s” created. Copy it now: it will not be shown again.")
                % {"name": token.name},
            )
            form = ApiTokenCreateForm(user=request.user)
    else:
        form = ApiTokenCreateForm(user=request.user)
    context = {
        "form": form,
        "tokens": api_token_list(user=request.user),
        "new_key": new_key,
        "now": timezone.now(),
    }
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    # Another user's token answers 404: it does not exist for this user.
    token = get_object_or_404(api_token_list(user=request.user), pk=pk)
    api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
