"""API permission classes. They delegate to the apps' permissions.py predicates."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken


class TokenScopePermission(BasePermission):
    """A `read` token may only read, whatever the user could do in the browser."""

    message = _("This API token has the scope “read” and cannot change data.")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.WRITE:
            return request.method in SAFE_METHODS
        return True


class IsAuthenticatedWithScope(TokenScopePermission):
    message = _("Authentication credentials were not provided.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not super().has_permission(request, view):
            self.message = TokenScopePermission.message
            return False
        return True
