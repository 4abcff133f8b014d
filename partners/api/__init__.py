"""Partner resources of the REST API, registered on the one router in spinportal/api/urls.py."""

from partners.api import organisations, people


def register_routes(router) -> None:
    organisations.register(router)
    people.register(router)
