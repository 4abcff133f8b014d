"""The cluster's competence taxonomy and sectors, shipped by a data migration.

(slug, German, English, synonyms, children)
"""

COMPETENCES = [
    (
        "hydrogen",
        "Wasserstoff",
        "Hydrogen",
        "H2, grüner Wasserstoff, green hydrogen",
        [
            (
                "electrolysis",
                "Elektrolyse",
                "Electrolysis",
                "Elektrolyseur, PEM, alkaline electrolysis, SOEC",
                [],
            ),
            ("fuel-cells", "Brennstoffzellen", "Fuel cells", "PEMFC, SOFC, fuel cell", []),
            (
                "hydrogen-infrastructure",
                "Wasserstoffinfrastruktur",
                "Hydrogen infrastructure",
                "H2-Netz, Pipeline, Wasserstofftankstelle",
                [],
            ),
            (
                "hydrogen-burners",
                "Wasserstoffbrenner",
                "Hydrogen burners",
                "H2-Brenner, burner",
                [],
            ),
        ],
    ),
    (
        "energy-storage",
        "Energiespeicher",
        "Energy storage",
        "Speicher, storage",
        [
            (
                "battery-storage",
                "Batteriespeicher",
                "Battery storage",
                "Akku, Batterie, battery, lithium-ion",
                [
                    (
                        "high-voltage-storage",
                        "Hochvoltspeicher",
                        "High-voltage storage",
                        "HV-Speicher, HV battery",
                        [],
                    ),
                    (
                        "battery-cells",
                        "Batteriezellen",
                        "Battery cells",
                        "Zellchemie, cell chemistry",
                        [],
                    ),
                ],
            ),
            (
                "thermal-storage",
                "Thermische Speicher",
                "Thermal storage",
                "Wärmespeicher, heat storage, Latentwärmespeicher",
                [],
            ),
        ],
    ),
    (
        "power-electronics",
        "Leistungselektronik",
        "Power electronics",
        "Umrichter, inverter, converter",
        [
            (
                "high-voltage-engineering",
                "Hochspannungstechnik",
                "High-voltage engineering",
                "HV-Technik, Hochspannung",
                [
                    (
                        "insulation-testing",
                        "Isolationsprüfung",
                        "Insulation testing",
                        "Isolationsmessung, Teilentladung, partial discharge",
                        [],
                    ),
                ],
            ),
        ],
    ),
    (
        "grid-integration",
        "Netzintegration",
        "Grid integration",
        "Stromnetz, Smart Grid, Netzanschluss, power grid",
        [
            ("sector-coupling", "Sektorkopplung", "Sector coupling", "Power-to-X, P2X", []),
        ],
    ),
    (
        "ccus",
        "CCUS und CO₂-Nutzung",
        "CCUS and CO₂ utilisation",
        "CCS, CCU, carbon capture, CO2-Abscheidung",
        [],
    ),
    (
        "synthetic-fuels",
        "Synthetische Kraftstoffe",
        "Synthetic fuels",
        "E-Fuels, Methanol, Ammoniak, ammonia",
        [],
    ),
    (
        "process-heat",
        "Prozesswärme und Elektrifizierung",
        "Process heat and electrification",
        "Elektrifizierung, Hochtemperaturwärme, industrial heat pump, Wärmepumpe",
        [],
    ),
    ("digital-twins", "Digitale Zwillinge", "Digital twins", "Digital Twin, Simulation", []),
    (
        "ai-data",
        "KI und Daten",
        "AI and data",
        "künstliche Intelligenz, machine learning, maschinelles Lernen, Datenanalyse",
        [],
    ),
    ("sensors-rfid", "Sensorik und RFID", "Sensors and RFID", "Sensor, Messtechnik, RFID, IoT", []),
    (
        "circular-economy",
        "Kreislaufwirtschaft",
        "Circular economy",
        "Recycling, Wiederverwertung",
        [],
    ),
    (
        "materials",
        "Werkstoffe",
        "Materials",
        "Materialien, Werkstofftechnik, Stahl, materials science",
        [],
    ),
    (
        "energy-efficiency",
        "Energieeffizienz",
        "Energy efficiency",
        "Effizienz, Abwärme, waste heat",
        [],
    ),
]

SECTORS = [
    ("energy-supply", "Energieversorgung", "Energy supply"),
    ("steel", "Stahl", "Steel"),
    ("chemicals", "Chemie", "Chemicals"),
    ("cement-lime", "Zement und Kalk", "Cement and lime"),
    ("glass", "Glas", "Glass"),
    ("paper", "Papier", "Paper"),
    ("automotive", "Automobil", "Automotive"),
    ("mechanical-engineering", "Maschinen- und Anlagenbau", "Mechanical and plant engineering"),
    ("it-software", "IT und Software", "IT and software"),
    ("electrical-engineering", "Elektrotechnik", "Electrical engineering"),
    ("research-education", "Forschung und Lehre", "Research and education"),
    ("consulting-services", "Beratung und Dienstleistung", "Consulting and services"),
    ("public-sector", "Öffentlicher Sektor", "Public sector"),
]


def load_taxonomy(competence_model, sector_model) -> None:
    """Creates or updates the shipped concepts (idempotent; staff edits to other rows stay)."""

    def add(entries, parent=None):
        for position, (slug, name_de, name_en, synonyms, children) in enumerate(entries):
            concept, _ = competence_model.objects.update_or_create(
                slug=slug,
                defaults={
                    "name_de": name_de,
                    "name_en": name_en,
                    "synonyms": synonyms,
                    "parent": parent,
                    "position": position,
                },
            )
            add(children, concept)

    add(COMPETENCES)
    for position, (slug, name_de, name_en) in enumerate(SECTORS):
        sector_model.objects.update_or_create(
            slug=slug, defaults={"name_de": name_de, "name_en": name_en, "position": position}
        )
