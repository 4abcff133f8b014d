"""Project resources of the REST API, registered on the one router in spinportal/api/urls.py."""

from projects.api import projects, workplan


def register_routes(router) -> None:
    projects.register(router)
    workplan.register(router)
