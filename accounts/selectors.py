from accounts.models import ApiToken, User


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_name_taken(*, user: User, name: str) -> bool:
    """Whether the user has an active (not revoked) token of that name: names tell them apart."""
    return ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists()
