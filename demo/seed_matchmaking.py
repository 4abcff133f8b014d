"""Demo offers and requests for the seeded partners (both languages, with real matches among
them) and synthetic opportunities at scale for benchmarks.

The lead calls `seed_opportunities()` from seed_cluster (after the organisations exist) and
`seed_synthetic_opportunities(n)` from `seed_demo --opportunities N`.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from matchmaking.models import Opportunity
from partners.models import Competence, Organisation

# (organisation slug, kind, language, title, description, competence slugs, partner kinds)
OPPORTUNITIES = [
    (
        "weissgerber-engineering",
        "request",
        "de",
        "Partner für Hochvolt-Batteriespeicher gesucht",
        "Für einen stationären Hochvoltspeicher suchen wir Partner mit Erfahrung in "
        "Leistungselektronik und Netzanschluss.",
        ["battery-storage", "power-electronics"],
        [],
    ),
    (
        "fh-dortmund",
        "offer",
        "de",
        "Prüfstand für Leistungselektronik",
        "Wir bieten Messungen an Umrichtern und Hochvoltkomponenten im Labor an, gern mit "
        "studentischen Projekten.",
        ["power-electronics", "high-voltage-engineering"],
        [],
    ),
    (
        "thyssenkrupp",
        "request",
        "en",
        "Hydrogen burners for reheating furnaces",
        "We are looking for research partners to test hydrogen burners and measure flame "
        "temperature in reheating furnaces.",
        ["hydrogen-burners", "process-heat"],
        ["science"],
    ),
    (
        "uni-due",
        "offer",
        "en",
        "Electrolysis and fuel cell test benches",
        "Our labs characterise PEM electrolysers and fuel cells and study materials under "
        "hydrogen.",
        ["electrolysis", "fuel-cells", "materials"],
        [],
    ),
    (
        "rwe-generation",
        "offer",
        "de",
        "Grüner Wasserstoff für die Industrie",
        "Wir bieten grünen Wasserstoff aus unseren Elektrolyseuren über die neue H2-Leitung für "
        "Industriekunden im Ruhrgebiet.",
        ["hydrogen-infrastructure", "electrolysis"],
        ["industry"],
    ),
    (
        "evonik",
        "request",
        "de",
        "CO2-Abscheidung und Nutzung",
        "Wir suchen Partner für die Abscheidung von CO2 aus Prozessgasen und die Synthese von "
        "Methanol.",
        ["ccus", "synthetic-fuels"],
        [],
    ),
    (
        "fraunhofer-ims",
        "offer",
        "en",
        "Wireless sensors and AI for plant monitoring",
        "We develop RFID and wireless sensors with machine learning for condition monitoring of "
        "batteries and plants.",
        ["sensors-rfid", "ai-data"],
        [],
    ),
    (
        "steag",
        "request",
        "en",
        "Thermal storage for a power plant site",
        "We want to convert a coal plant site into a heat storage and hydrogen hub and seek "
        "research and engineering partners.",
        ["thermal-storage", "hydrogen-infrastructure"],
        [],
    ),
    (
        "siemens",
        "offer",
        "de",
        "Digitaler Zwilling für Elektrolyseanlagen",
        "Wir bieten digitale Zwillinge für Elektrolyseure und Netzanschluss, um Anlagen vor dem "
        "Bau zu simulieren.",
        ["digital-twins", "electrolysis", "grid-integration"],
        [],
    ),
    (
        "zenit",
        "request",
        "de",
        "Energieeffizienz im Mittelstand",
        "Für ein Netzwerk zur Abwärmenutzung suchen wir Hochschulen und Energieversorger.",
        ["energy-efficiency"],
        ["science", "industry"],
    ),
    (
        "weissgerber-engineering",
        "offer",
        "en",
        "Insulation testing for HV batteries",
        "We offer insulation and partial discharge testing for high-voltage battery storage.",
        ["insulation-testing", "high-voltage-storage"],
        [],
    ),
    (
        "ruhr-hub",
        "request",
        "en",
        "AI pilots with industry",
        "We are looking for industrial partners that want to pilot AI and digital twins in their "
        "plants.",
        ["ai-data", "digital-twins"],
        ["industry", "sme"],
    ),
]


@transaction.atomic
def seed_opportunities() -> int:
    """The demo offers and requests (idempotent by organisation and title); returns how many
    were created. Matches are computed by the caller (`recompute_matches`) or on commit."""
    organisations = dict(
        Organisation.objects.filter(slug__in={row[0] for row in OPPORTUNITIES}).values_list(
            "slug", "id"
        )
    )
    competences = {c.slug: c for c in Competence.objects.all()}
    existing = set(
        Opportunity.objects.filter(organisation_id__in=organisations.values()).values_list(
            "organisation_id", "title"
        )
    )
    now = timezone.now()
    created = 0
    for slug, kind, language, title, description, competence_slugs, sought in OPPORTUNITIES:
        organisation_id = organisations.get(slug)
        if organisation_id is None or (organisation_id, title) in existing:
            continue
        opportunity = Opportunity.objects.create(
            organisation_id=organisation_id,
            kind=kind,
            language=language,
            title=title,
            description=description,
            partner_kinds=sought,
            valid_until=timezone.localdate() + dt.timedelta(days=180),
            status=Opportunity.Status.PUBLISHED,
            published_at=now,
            is_demo=True,
        )
        opportunity.competences.set([competences[c] for c in competence_slugs if c in competences])
        created += 1
    return created


WORDS_DE = [
    "Wasserstoff",
    "Elektrolyse",
    "Speicher",
    "Batterie",
    "Netz",
    "Wärme",
    "Sensorik",
    "Prüfstand",
    "Stahl",
    "Recycling",
    "Umrichter",
    "Simulation",
    "Brenner",
    "Effizienz",
]
WORDS_EN = [
    "hydrogen",
    "electrolysis",
    "storage",
    "battery",
    "grid",
    "heat",
    "sensors",
    "test bench",
    "steel",
    "recycling",
    "inverter",
    "simulation",
    "burner",
    "efficiency",
]


@transaction.atomic
def seed_synthetic_opportunities(count: int, *, seed: int = 42) -> int:
    """Up to `count` published synthetic opportunities of active organisations, with two or
    three competences each (idempotent: numbered titles). Returns how many were created."""
    rng = random.Random(seed)
    organisation_ids = list(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE).values_list("id", flat=True)
    )
    competence_ids = list(Competence.objects.values_list("id", flat=True))
    if not organisation_ids or not competence_ids:
        return 0
    existing = {
        title.split(":")[0]
        for title in Opportunity.objects.filter(title__startswith="Synthetic #").values_list(
            "title", flat=True
        )
    }
    today = timezone.localdate()
    now = timezone.now()
    new = []
    for number in range(1, count + 1):
        title = f"Synthetic #{number:06d}"
        if title in existing:
            continue
        language = rng.choice(["de", "en"])
        words = WORDS_DE if language == "de" else WORDS_EN
        new.append(
            Opportunity(
                organisation_id=rng.choice(organisation_ids),
                kind=rng.choice(["offer", "request"]),
                language=language,
                title=f"{title}: {' '.join(rng.sample(words, 2))}",
                description=" ".join(rng.sample(words, 6)),
                valid_until=today + dt.timedelta(days=rng.randint(30, 365)),
                status=Opportunity.Status.PUBLISHED,
                published_at=now,
                is_demo=True,
            )
        )
    for opportunity in new:
        opportunity.render_markdown_fields()
    Opportunity.objects.bulk_create(new, batch_size=2000)
    if new:
        links = [
            Opportunity.competences.through(
                opportunity_id=opportunity.pk, competence_id=competence_id
            )
            for opportunity in new
            for competence_id in rng.sample(competence_ids, rng.choice([2, 3]))
        ]
        Opportunity.competences.through.objects.bulk_create(links, batch_size=5000)
    return len(new)
