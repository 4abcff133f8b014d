"""Projects' part of the person's data export (accounts/privacy.py); their team memberships
are deleted with the account (CASCADE)."""

from accounts.privacy import PrivacyHook, register, rows
from projects.models import TeamMember


def _export(user) -> dict[str, list]:
    return {
        "project_team_memberships": rows(
            TeamMember.objects.filter(user=user).select_related("project"),
            ["project__acronym", "role"],
        )
    }


register(PrivacyHook(export=_export))
