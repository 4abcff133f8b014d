"""Partner resources of the REST API, registered on the one router in spinportal/api/urls.py."""

from partners.api import memberships, moderation, organisations, people


def register_routes(router) -> None:
    organisations.register(router)
    moderation.register(router)
    memberships.register(router)
    people.register(router)
