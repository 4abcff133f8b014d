from accounts.models import ApiToken, User


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
