"""Request and response examples of the matchmaking API, shown in the schema and in /api/docs/.

The request examples name organisations, competences and projects of the demo cluster
(`make run`), so they work as they stand against a demo portal. Schemathesis sends them too
(its examples phase), so they must stay valid requests.
"""

from drf_spectacular.utils import OpenApiExample

FH_DORTMUND = {
    "public_id": "7d3c0f3e-2b7e-4f0e-9a1c-2f6a3c9b1e01",
    "slug": "fh-dortmund",
    "name": "Fachhochschule Dortmund",
}
SIEMENS = {
    "public_id": "0b8f5a8e-4c55-4d9e-8f2e-6c1d2e3f4a5b",
    "slug": "siemens",
    "name": "Siemens AG",
}
OPPORTUNITY_ID = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CONTACT_REQUEST_ID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"

OPPORTUNITY = OpenApiExample(
    "An offer of FH Dortmund",
    response_only=True,
    value={
        "id": OPPORTUNITY_ID,
        "kind": "offer",
        "title": "Prüfstand für Leistungselektronik",
        "description": "Wir bieten Messzeit auf unserem **Hochvolt-Prüfstand** für "
        "Leistungselektronik bis 1.000 V.",
        "description_html": "<p>Wir bieten Messzeit auf unserem <strong>Hochvolt-Prüfstand"
        "</strong> für Leistungselektronik bis 1.000 V.</p>",
        "language": "de",
        "organisation": FH_DORTMUND,
        "competences": ["power-electronics"],
        "keywords": ["Prüfstand", "Hochvolt"],
        "partner_kinds": ["industry", "sme"],
        "project": None,
        "project_idea": "",
        "valid_until": "2027-06-30",
        "status": "published",
        "visibility": "partners",
        "published_at": "2026-11-02T09:15:00+01:00",
        "created_at": "2026-11-02T09:10:00+01:00",
        "updated_at": "2026-11-02T09:15:00+01:00",
        "is_owner": True,
    },
)
OPPORTUNITY_CREATE = OpenApiExample(
    "Publish an offer",
    request_only=True,
    value={
        "organisation": "fh-dortmund",
        "kind": "offer",
        "title": "Prüfstand für Leistungselektronik",
        "description": "Wir bieten Messzeit auf unserem Hochvolt-Prüfstand für "
        "Leistungselektronik bis 1.000 V.",
        "language": "de",
        "competences": ["power-electronics"],
        "keywords": ["Prüfstand", "Hochvolt"],
        "partner_kinds": ["industry", "sme"],
        "valid_until": "2030-06-30",
        "status": "published",
        "visibility": "partners",
    },
)
OPPORTUNITY_UPDATE = OpenApiExample(
    "Close an opportunity",
    request_only=True,
    value={"status": "closed"},
)
MATCH = OpenApiExample(
    "Siemens for an offer of FH Dortmund",
    response_only=True,
    value={
        "rank": 1,
        "score": 72,
        "organisation": SIEMENS,
        "opportunity": None,
        "explanation": {
            "version": 5,
            "score": 72,
            "is_weak": False,
            "shared": [
                {
                    "slug": "power-electronics",
                    "de": "Leistungselektronik",
                    "en": "Power electronics",
                }
            ],
            "related": [],
            "evidence": None,
        },
        "outcome": "suggested",
    },
)
CONTACT_REQUEST = OpenApiExample(
    "An open request to Siemens",
    response_only=True,
    value={
        "id": CONTACT_REQUEST_ID,
        "direction": "out",
        "status": "open",
        "message": "Wir suchen einen Industriepartner für unseren Prüfstand.",
        "sender": {
            "name": "Prof. Dr. Anna Schmidt",
            "email": "anna.schmidt@demo.spin.example",
            "phone": "+49 231 9112-0",
        },
        "sender_organisation": FH_DORTMUND,
        "receiver_organisation": SIEMENS,
        "opportunity": OPPORTUNITY_ID,
        "decline_reason": "",
        "answered_by": None,
        "answered_at": None,
        "created_at": "2026-11-03T10:00:00+01:00",
    },
)
CONTACT_REQUEST_CREATE = OpenApiExample(
    "Contact Siemens",
    request_only=True,
    value={
        "receiver_organisation": "siemens",
        "sender_organisation": "fh-dortmund",
        "message": "Wir suchen einen Industriepartner für unseren Prüfstand.",
    },
)
CONTACT_REQUEST_DECLINE = OpenApiExample(
    "Decline with a reason",
    request_only=True,
    value={"reason": "Wir haben derzeit keine Kapazitäten."},
)
MESSAGE = OpenApiExample(
    "A message in the conversation",
    response_only=True,
    value={
        "id": 17,
        "author": "Prof. Dr. Anna Schmidt",
        "text": "Passt Ihnen Dienstag um 10 Uhr?",
        "created_at": "2026-11-04T08:30:00+01:00",
    },
)
MESSAGE_CREATE = OpenApiExample(
    "Write a message",
    request_only=True,
    value={"text": "Passt Ihnen Dienstag um 10 Uhr?"},
)

__all__ = [
    "CONTACT_REQUEST",
    "CONTACT_REQUEST_CREATE",
    "CONTACT_REQUEST_DECLINE",
    "MATCH",
    "MESSAGE",
    "MESSAGE_CREATE",
    "OPPORTUNITY",
    "OPPORTUNITY_CREATE",
    "OPPORTUNITY_UPDATE",
]
