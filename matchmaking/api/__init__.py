"""Matchmaking resources of the REST API, registered on the one router."""

from matchmaking.api import resources


def register_routes(router) -> None:
    resources.register(router)
