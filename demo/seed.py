"""Loads the demo cluster (idempotent) and synthetic data at scale for benchmarks."""

import datetime as dt
import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from demo import data
from demo.seed_matchmaking import seed_opportunities
from demo.seed_workplan import seed_workplan
from partners.models import Competence, Membership, Organisation, Sector
from partners.taxonomy import load_taxonomy
from projects.models import Participation, Project, TeamMember

EMAIL_DOMAIN = "demo.spin.example"


def _verified_user(email: str, full_name: str, password_hash: str, **fields) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "password": password_hash, **fields}
    )
    if created:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def seed_cluster() -> dict[str, int]:
    """The real organisations, fictional people, the three projects. Safe to run again."""
    # The taxonomy comes with a data migration; loading it again is idempotent and makes the
    # seed work on a database whose tables were flushed (transactional tests).
    load_taxonomy(Competence, Sector)
    password_hash = make_password(data.DEMO_PASSWORD)
    competences = {c.slug: c for c in Competence.objects.all()}
    sectors = {s.slug: s for s in Sector.objects.all()}

    _verified_user(
        data.STAFF_EMAIL,
        "Clustergeschäftsstelle (Demo)",
        password_hash,
        is_staff=True,
        is_superuser=True,
        position="Clustermanagement",
    )

    organisations = {}
    for (
        slug,
        name,
        short,
        kind,
        city,
        postcode,
        street,
        lat,
        lon,
        website,
        size,
        sector_slugs,
        competence_slugs,
        keywords,
        description_de,
        description_en,
    ) in data.ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "city": city,
                "postcode": postcode,
                "street": street,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "website": website,
                "size_band": size,
                "keywords": keywords,
                "description_de": description_de,
                "description_en": description_en,
                "status": Organisation.Status.ACTIVE,
                "is_demo": True,
                "email": f"kontakt@{slug}.{EMAIL_DOMAIN}",
            },
        )
        if created:
            organisation.sectors.set([sectors[s] for s in sector_slugs])
            organisation.competences.set([competences[c] for c in competence_slugs])
        organisations[slug] = organisation

    slug, name, short, parent_slug, competence_slugs = data.RESEARCH_GROUP
    group, created = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "short_name": short,
            "kind": Organisation.Kind.RESEARCH_INSTITUTE,
            "city": "Duisburg",
            "postcode": "47057",
            "parent": organisations[parent_slug],
            "status": Organisation.Status.ACTIVE,
            "is_demo": True,
            "description_de": "Forschungsgruppe für elektrochemische und thermische "
            "Speicher an der Universität Duisburg-Essen (Demo).",
            "description_en": "Research group for electrochemical and thermal storage at "
            "the University of Duisburg-Essen (demo).",
        },
    )
    if created:
        group.competences.set([competences[c] for c in competence_slugs])
        group.sectors.set([sectors["research-education"]])
    organisations[slug] = group

    slug, name, kind, city, postcode, competence_slugs = data.PENDING_ORGANISATION
    pending, created = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "kind": kind,
            "city": city,
            "postcode": postcode,
            "is_demo": True,
            "status": Organisation.Status.PENDING,
            "description_de": "Start-up für modulare Elektrolyseure (Demo).",
            "description_en": "Start-up for modular electrolysers (demo).",
        },
    )
    if created:
        pending.competences.set([competences[c] for c in competence_slugs])
    organisations[slug] = pending

    for local, full_name, title, position, org_slug, role, show_email, show_phone in data.PEOPLE:
        user = _verified_user(
            f"{local}@{EMAIL_DOMAIN}",
            full_name,
            password_hash,
            title=title,
            position=position,
            show_email=show_email,
            show_phone=show_phone,
            phone="+49 231 000000 (Demo)",
        )
        Membership.objects.get_or_create(
            user=user, organisation=organisations[org_slug], defaults={"role": role}
        )

    for (
        acronym,
        title_de,
        title_en,
        summary_de,
        summary_en,
        stage,
        start,
        end,
        programme,
        competence_slugs,
        participants,
    ) in data.PROJECTS:
        project, created = Project.objects.get_or_create(
            acronym=acronym,
            defaults={
                "slug": acronym.lower(),
                "title_de": title_de,
                "title_en": title_en,
                "summary_de": summary_de,
                "summary_en": summary_en,
                "stage": stage,
                "start_date": dt.date.fromisoformat(start),
                "end_date": dt.date.fromisoformat(end),
                "funding_programme": programme,
                "funding_reference": f"DEMO-{acronym.upper()}",
                "total_budget": Decimal(data.PROJECT_FIGURES[acronym][0]),
                "funding_amount": Decimal(data.PROJECT_FIGURES[acronym][1]),
                "is_demo": True,
            },
        )
        if created:
            project.competences.set([competences[c] for c in competence_slugs])
        _seed_consortium(project, organisations, participants)
        _seed_team(project, data.PROJECT_TEAMS.get(acronym, []))

    # The work plan (work packages, milestones, news, documents) has its own module.
    seed_workplan()
    seed_opportunities()
    return {
        "organisations": Organisation.objects.count(),
        "people": User.objects.count(),
        "projects": Project.objects.count(),
    }


def _seed_consortium(project: Project, organisations: dict, participants) -> None:
    """Adds missing partners; rows changed through the portal since are left alone."""
    for slug, role, share in participants:
        Participation.objects.get_or_create(
            project=project,
            organisation=organisations[slug],
            defaults={
                "role": role,
                "budget_share": Decimal(share) if share is not None else None,
                "joined_on": project.start_date,
            },
        )


def _seed_team(project: Project, members) -> None:
    for local, role in members:
        user = User.objects.filter(email=f"{local}@{EMAIL_DOMAIN}").first()
        if user is not None:
            TeamMember.objects.get_or_create(project=project, user=user, defaults={"role": role})


CITIES = [
    ("Dortmund", "44135"),
    ("Essen", "45127"),
    ("Duisburg", "47051"),
    ("Bochum", "44787"),
    ("Gelsenkirchen", "45879"),
    ("Oberhausen", "46045"),
    ("Mülheim an der Ruhr", "45468"),
    ("Herne", "44623"),
    ("Hamm", "59065"),
    ("Bottrop", "46236"),
    ("Recklinghausen", "45657"),
    ("Hagen", "58095"),
]
WORDS = [
    "Energie",
    "Wasserstoff",
    "Stahl",
    "Speicher",
    "Netz",
    "Prozess",
    "Wärme",
    "Chemie",
    "Sensor",
    "Daten",
    "Material",
    "Kreislauf",
    "Batterie",
    "Elektrolyse",
    "Glas",
    "Zement",
]
PROGRAMMES = ["Demo-Förderprogramm NRW", "Demo-EFRE.NRW", "Demo-Horizont Europa", "Demo-BMWK"]
SUFFIXES = ["GmbH", "AG", "Institut", "Labor", "Systems GmbH", "Technik GmbH", "e.V."]


SYNTHETIC_PROFILES = 48


def _synthetic_profiles(rng: random.Random) -> list[dict[str, str]]:
    """Name, keywords and descriptions of the synthetic organisations (a fixed pool)."""
    profiles = []
    for _ in range(SYNTHETIC_PROFILES):
        a, b = rng.sample(WORDS, 2)
        profiles.append(
            {
                "name": f"{a}{b.lower()} {rng.choice(SUFFIXES)} (synthetisch)",
                "keywords": ", ".join(rng.sample(WORDS, 3)),
                "description_de": f"Synthetische Organisation für Lasttests: {a}, {b}.",
                "description_en": f"Synthetic organisation for load tests: {a}, {b}.",
            }
        )
    return profiles


@transaction.atomic
def seed_synthetic(
    *, organisations: int = 0, projects: int = 0, people: int = 0, seed: int = 42
) -> dict[str, int]:
    """Adds synthetic rows up to the given numbers (idempotent: numbered slugs)."""
    rng = random.Random(seed)
    competence_ids = list(Competence.objects.values_list("id", flat=True))
    sector_ids = list(Sector.objects.values_list("id", flat=True))
    kinds = Organisation.Kind.values
    created = {"organisations": 0, "projects": 0, "people": 0}

    existing = set(
        Organisation.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True)
    )
    # The texts come from a small pool, so the matching engine embeds each one once (its
    # cache is keyed by the text): 10,000 organisations cost 48 embeddings, not 10,000.
    profiles = _synthetic_profiles(random.Random(seed + 1))
    new_orgs = []
    for number in range(1, organisations + 1):
        slug = f"synthetic-{number:06d}"
        if slug in existing:
            continue
        city, postcode = rng.choice(CITIES)
        profile = profiles[number % len(profiles)]
        new_orgs.append(
            Organisation(
                slug=slug,
                kind=rng.choice(kinds),
                city=city,
                postcode=postcode,
                is_demo=True,
                status=Organisation.Status.ACTIVE,
                **profile,
            )
        )
    for organisation in new_orgs:
        organisation.render_markdown_fields()
    Organisation.objects.bulk_create(new_orgs, batch_size=2000)
    created["organisations"] = len(new_orgs)
    if new_orgs:
        slugs = [o.slug for o in new_orgs]
        ids = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "id"))
        competence_links = []
        sector_links = []
        for slug in slugs:
            for competence_id in rng.sample(competence_ids, 3):
                competence_links.append(
                    Organisation.competences.through(
                        organisation_id=ids[slug], competence_id=competence_id
                    )
                )
            sector_links.append(
                Organisation.sectors.through(
                    organisation_id=ids[slug], sector_id=rng.choice(sector_ids)
                )
            )
        Organisation.competences.through.objects.bulk_create(competence_links, batch_size=5000)
        Organisation.sectors.through.objects.bulk_create(sector_links, batch_size=5000)

    org_ids = list(Organisation.objects.filter(status="active").values_list("id", flat=True))
    if people:
        password_hash = make_password(data.DEMO_PASSWORD)
        existing_people = set(
            User.objects.filter(email__startswith="synthetic-").values_list("email", flat=True)
        )
        new_users = [
            User(
                email=f"synthetic-{n:06d}@{EMAIL_DOMAIN}",
                full_name=f"Person {n} (synthetisch)",
                password=password_hash,
                position="Ingenieur/in",
            )
            for n in range(1, people + 1)
            if f"synthetic-{n:06d}@{EMAIL_DOMAIN}" not in existing_people
        ]
        User.objects.bulk_create(new_users, batch_size=2000)
        emails = [u.email for u in new_users]
        users = User.objects.filter(email__in=emails).values_list("id", "email")
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=uid, email=email, verified=True, primary=True)
                for uid, email in users
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(user_id=uid, organisation_id=rng.choice(org_ids), role="member")
                for uid, _email in users
            ],
            batch_size=2000,
        )
        created["people"] = len(new_users)

    if projects:
        existing_projects = set(
            Project.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True)
        )
        new_projects = []
        for n in range(1, projects + 1):
            if f"synthetic-{n:05d}" in existing_projects:
                continue
            start = dt.date(2020 + rng.randrange(7), rng.randrange(1, 13), 1)
            a, b = rng.sample(WORDS, 2)
            new_projects.append(
                Project(
                    acronym=f"SYN-{n:05d}",
                    slug=f"synthetic-{n:05d}",
                    title_de=f"{a} und {b}: synthetisches Projekt {n}",
                    title_en=f"Synthetic project {n}",
                    summary_de=f"Synthetisches Projekt für Lasttests zu {a} und {b}.",
                    summary_en=f"Synthetic project for load tests on {a} and {b}.",
                    stage=rng.choice(Project.Stage.values),
                    start_date=start,
                    end_date=start + dt.timedelta(days=365 * rng.randrange(2, 5) - 1),
                    funding_programme=rng.choice(PROGRAMMES),
                    total_budget=Decimal(rng.randrange(500, 5000) * 1000),
                    funding_amount=Decimal(rng.randrange(200, 500) * 1000),
                    visibility="consortium" if n % 10 == 0 else "public",
                    is_demo=True,
                )
            )
        for project in new_projects:
            project.render_markdown_fields()
        Project.objects.bulk_create(new_projects, batch_size=2000)
        project_ids = Project.objects.filter(slug__in=[p.slug for p in new_projects]).values_list(
            "id", flat=True
        )
        participations = []
        competence_links = []
        for project_id in project_ids:
            for index, org_id in enumerate(rng.sample(org_ids, min(3, len(org_ids)))):
                participations.append(
                    Participation(
                        project_id=project_id,
                        organisation_id=org_id,
                        role="coordinator" if index == 0 else "partner",
                        budget_share=Decimal("40.00") if index == 0 else Decimal("30.00"),
                    )
                )
            for competence_id in rng.sample(competence_ids, min(2, len(competence_ids))):
                competence_links.append(
                    Project.competences.through(project_id=project_id, competence_id=competence_id)
                )
        Participation.objects.bulk_create(participations, batch_size=5000)
        Project.competences.through.objects.bulk_create(competence_links, batch_size=5000)
        created["projects"] = len(new_projects)
    return created
