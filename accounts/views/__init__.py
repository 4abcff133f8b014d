from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenCreateForm
from accounts.selectors import api_token_list
from accounts.services import api_token_create, api_token_expires_at, api_token_revoke


@login_required
def api_tokens(request):
    new_key = None
    if request.method == "POST":
        form = ApiTokenCreateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                token, new_key = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_at=api_token_expires_at(form.cleaned_data["expires_on"]),
                )
            except ValidationError as error:  # a token of that name was created meanwhile
                for field, field_messages in error.message_dict.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
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


def admin_login(request, extra_context=None):
    """The admin's log-in form is replaced by the portal's (allauth) log-in.

    One log-in for everything means one set of protections: allauth's rate limits on the shared
    cache, enumeration-safe errors and the second factor. The admin sends unauthenticated
    visitors here with ?next=; they come back after logging in.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        # Logged in, but not staff: sending them to the log-in page would loop back here.
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
