"""Request and response examples of the project API, shown in the schema and in /api/docs/.

The values are those of the demo cluster (`make run`). Schemathesis sends the request examples
too (its examples phase), so they must stay valid requests.
"""

from drf_spectacular.utils import OpenApiExample

PROJECT_VALUE = {
    "id": 1,
    "public_id": "5b0d2f6e-8a1c-4e3b-9d7f-1c2b3a4d5e6f",
    "acronym": "H2-Ruhr",
    "slug": "h2-ruhr",
    "title": "Wasserstoff-Testfeld Ruhr",
    "title_de": "Wasserstoff-Testfeld Ruhr",
    "title_en": "Hydrogen test field Ruhr",
    "summary": "Ein Testfeld für Elektrolyse und Brennstoffzellen im industriellen Maßstab.",
    "stage": "running",
    "stage_label": "Laufend",
    "start_date": "2026-01-01",
    "end_date": "2028-12-31",
    "funding_programme": "EFRE.NRW",
    "visibility": "public",
    "website": "",
    "competences": ["electrolysis", "fuel-cells"],
    "consortium": [
        {
            "organisation": "fh-dortmund",
            "organisation_name": "Fachhochschule Dortmund",
            "role": "coordinator",
        }
    ],
    "url": "https://portal.spin.example/projects/h2-ruhr/",
    "is_demo": True,
    "updated_at": "2026-11-02T09:15:00+01:00",
}
PROJECT = OpenApiExample("A running project", value=PROJECT_VALUE, response_only=True)
PROJECT_DETAIL = OpenApiExample(
    "A running project, seen by a partner outside the consortium",
    response_only=True,
    value={
        **PROJECT_VALUE,
        "summary_de": "Ein Testfeld für Elektrolyse und Brennstoffzellen im industriellen Maßstab.",
        "summary_en": "A test field for electrolysis and fuel cells at industrial scale.",
        "description": "## Ziele\n\nElektrolyseure im **Dauerbetrieb** erproben.",
        "description_html": "<h2>Ziele</h2>\n<p>Elektrolyseure im <strong>Dauerbetrieb"
        "</strong> erproben.</p>",
        "funding_reference": "EFRE-0801234",
        "total_budget": None,
        "funding_amount": None,
        "participations": [
            {
                "id": 1,
                "organisation": "fh-dortmund",
                "organisation_name": "Fachhochschule Dortmund",
                "role": "coordinator",
                "role_label": "Koordinator",
                "budget_share": None,
                "joined_on": "2026-01-01",
                "left_on": None,
            }
        ],
        "team": [],
        "logo": None,
        "can_edit": False,
        "created_at": "2025-10-01T12:00:00+02:00",
    },
)
PROJECT_CREATE = OpenApiExample(
    "Record a project idea",
    request_only=True,
    value={
        "acronym": "SensGrid",
        "title_de": "Sensorik für Verteilnetze",
        "title_en": "Sensors for distribution grids",
        "summary_de": "Günstige Sensoren für Ortsnetzstationen.",
        "stage": "idea",
        "visibility": "public",
        "competences": ["sensors-rfid"],
    },
)
PROJECT_UPDATE = OpenApiExample(
    "Move a project to the next stage",
    request_only=True,
    value={"stage": "preparation", "funding_programme": "EFRE.NRW"},
)
