"""Matchmaking resources of the REST API."""

from matchmaking.api import contact_requests, opportunities


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register("opportunities", opportunities.OpportunityViewSet, basename="opportunity")
    router.register(
        "contact-requests", contact_requests.ContactRequestViewSet, basename="contact-request"
    )
