"""Request and response examples of the partner API, shown in the schema and in /api/docs/.

The values are those of the demo cluster (`make run`). Schemathesis sends the request examples
too (its examples phase), so they must stay valid requests.
"""

from drf_spectacular.utils import OpenApiExample

ORGANISATION_VALUE = {
    "public_id": "7d3c0f3e-2b7e-4f0e-9a1c-2f6a3c9b1e01",
    "slug": "fh-dortmund",
    "name": "Fachhochschule Dortmund",
    "short_name": "FH Dortmund",
    "kind": "university_applied",
    "kind_label": "Fachhochschule",
    "status": "active",
    "city": "Dortmund",
    "country": "DE",
    "website": "https://www.fh-dortmund.de",
    "sectors": ["research-education"],
    "competences": ["power-electronics", "sensors-rfid", "digital-twins"],
    "logo_thumbnail": None,
    "url": "https://portal.spin.example/organisations/fh-dortmund/",
    "updated_at": "2026-11-02T09:15:00+01:00",
}
ORGANISATION = OpenApiExample(
    "FH Dortmund in the directory", value=ORGANISATION_VALUE, response_only=True
)
ORGANISATION_DETAIL = OpenApiExample(
    "FH Dortmund",
    response_only=True,
    value={
        **ORGANISATION_VALUE,
        "street": "Sonnenstraße 96",
        "postcode": "44139",
        "latitude": "51.506900",
        "longitude": "7.448900",
        "email": "",
        "phone": "",
        "size_band": "1000+",
        "description_de": "Die Fachhochschule Dortmund forscht anwendungsnah zu "
        "Leistungselektronik, Sensorik und digitalen Zwillingen.",
        "description_en": "The University of Applied Sciences Dortmund conducts applied "
        "research in power electronics, sensors and digital twins.",
        "description_html": "<p>Die Fachhochschule Dortmund forscht anwendungsnah zu "
        "Leistungselektronik, Sensorik und digitalen Zwillingen.</p>",
        "keywords": ["Lehre", "angewandte Forschung", "Prüfstände"],
        "logo": None,
        "parent": None,
        "rejection_reason": "",
        "created_at": "2026-01-15T10:00:00+01:00",
    },
)
ORGANISATION_UPDATE = OpenApiExample(
    "Change the address and competences",
    request_only=True,
    value={
        "street": "Sonnenstraße 96",
        "postcode": "44139",
        "city": "Dortmund",
        "competences": ["power-electronics", "sensors-rfid", "digital-twins"],
    },
)
PERSON = OpenApiExample(
    "A professor who shares her e-mail address",
    response_only=True,
    value={
        "id": 12,
        "display_name": "Prof. Dr. Anna Schmidt",
        "full_name": "Anna Schmidt",
        "title": "Prof. Dr.",
        "position": "Professorin für Leistungselektronik",
        "expertise": "Leistungselektronik, Hochvolt-Prüfstände",
        "email": "anna.schmidt@demo.spin.example",
        "phone": None,
        "photo": None,
        "organisations": [
            {"slug": "fh-dortmund", "name": "Fachhochschule Dortmund", "role": "admin"}
        ],
        "competences": [{"slug": "power-electronics", "name": "Leistungselektronik"}],
    },
)
