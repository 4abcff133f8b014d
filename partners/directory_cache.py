"""The directory's cache: the ids a search text matches and the facet counts. Measured need
(10,000 organisations on PostgreSQL): the four facet GROUP BYs and the search's union took
60–110 ms of a page whose rendering takes 40 ms, and they are the same for every visitor with
the same visibility. Invalidated by every change of an organisation, its sectors or
competences, or the taxonomy (signals connected in PartnersConfig.ready); see
spinportal.versioned_cache for the rules.
"""

from partners.permissions import admin_organisation_ids, is_partner, is_staff
from spinportal.versioned_cache import VersionedCache

DIRECTORY = VersionedCache("partners:directory")


def directory_changed(**_signal_arguments) -> None:
    """Retires every cached search and facet."""
    DIRECTORY.changed()


def visibility_key(user) -> str:
    """Who sees which organisations: staff all, an organisation admin also their own pending
    ones, everybody else the active ones (one shared entry)."""
    if is_staff(user):
        return "staff"
    admin_ids = sorted(admin_organisation_ids(user)) if is_partner(user) else []
    return "admin:" + ",".join(map(str, admin_ids)) if admin_ids else "public"


def cached(kind: str, parts: list[str], compute):
    return DIRECTORY.cached(kind, parts, compute)
