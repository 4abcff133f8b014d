"""Demo work plans, news and one document each for DIANE, Fit4eChange and KV-BATT-Tech.

Idempotent: rows are looked up by project and number or title; a document gets its file only
once. Everything is marked as demo in its text. Called from seed_cluster() after the projects.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Organisation
from projects.models import Document, DocumentVersion, Milestone, NewsPost, Project, WorkPackage
from projects.uploads import check_upload

# acronym -> work packages [(number, title, lead slug, start month, end month)],
# milestones [(kind, title, due date, work package number, responsible slug, status)],
# news [(title, text, publication date, public)], document (title, description, public)
WORKPLANS = {
    "DIANE": {
        "work_packages": [
            (1, "Projektmanagement (Demo)", "fh-dortmund", 1, 48),
            (2, "Anforderungen und Use Cases (Demo)", "steag", 1, 9),
            (3, "Digitale Zwillinge der Anlagen (Demo)", "siemens", 6, 36),
            (4, "Netzintegration und Feldtest (Demo)", "fh-dortmund", 24, 48),
        ],
        "milestones": [
            ("milestone", "Kick-off (Demo)", "2022-01-20", 1, "fh-dortmund", "done"),
            ("deliverable", "D2.1 Use-Case-Katalog (Demo)", "2022-09-30", 2, "steag", "done"),
            (
                "milestone",
                "Zwilling der Pilotanlage läuft (Demo)",
                "2024-06-30",
                3,
                "siemens",
                "late",
            ),
            ("deliverable", "D4.2 Feldtestbericht (Demo)", "2025-11-30", 4, "fh-dortmund", "open"),
        ],
        "news": [
            (
                "DIANE startet (Demo)",
                "Das Konsortium hat sich in Dortmund zum **Kick-off** getroffen. (Demo-Meldung)",
                "2022-01-21T10:00",
                True,
            ),
            (
                "Interner Zeitplan für den Feldtest (Demo)",
                "Der Feldtest verschiebt sich um zwei Monate; siehe Arbeitspaket 4. (Demo)",
                "2024-07-05T09:00",
                False,
            ),
        ],
        "document": (
            "Projektsteckbrief DIANE (Demo)",
            "Kurzbeschreibung des Projekts als PDF (Demo-Dokument).",
            True,
        ),
    },
    "Fit4eChange": {
        "work_packages": [
            (1, "Koordination (Demo)", "uni-due", 1, 48),
            (2, "Elektrifizierung der Prozesswärme (Demo)", "thyssenkrupp", 3, 30),
            (3, "Wasserstoffbrenner (Demo)", "evonik", 6, 36),
            (4, "Systemanalyse und Transfer (Demo)", "rwe-generation", 24, 48),
        ],
        "milestones": [
            ("milestone", "Kick-off (Demo)", "2022-04-28", 1, "uni-due", "done"),
            (
                "deliverable",
                "D2.1 Lastenheft Induktionsofen (Demo)",
                "2023-03-31",
                2,
                "thyssenkrupp",
                "done",
            ),
            ("milestone", "Brennerprüfstand in Betrieb (Demo)", "2024-09-30", 3, "evonik", "open"),
            (
                "deliverable",
                "D4.1 Transferbericht (Demo)",
                "2026-03-15",
                4,
                "rwe-generation",
                "open",
            ),
        ],
        "news": [
            (
                "Prüfstand für Wasserstoffbrenner (Demo)",
                "Der Prüfstand bei einem Partner ist aufgebaut; erste Messungen folgen. (Demo)",
                "2024-10-02T14:00",
                True,
            ),
            (
                "Protokoll Konsortialtreffen (Demo)",
                "Das Protokoll liegt in den Dokumenten. (Demo, nur Konsortium)",
                "2025-02-12T16:30",
                False,
            ),
        ],
        "document": (
            "Protokoll Konsortialtreffen Februar (Demo)",
            "Ergebnisprotokoll, nur für das Konsortium (Demo-Dokument).",
            False,
        ),
    },
    "KV-BATT-Tech": {
        "work_packages": [
            (1, "Projektleitung (Demo)", "fh-dortmund", 1, 36),
            (2, "Zellmodul und Sensorik (Demo)", "siemens", 1, 18),
            (3, "Isolationsüberwachung (Demo)", "weissgerber-engineering", 10, 30),
            (4, "Demonstrator (Demo)", "fh-dortmund", 24, 36),
        ],
        "milestones": [
            ("milestone", "Kick-off (Demo)", "2022-07-14", 1, "fh-dortmund", "done"),
            ("deliverable", "D2.2 Sensorkonzept (Demo)", "2023-06-30", 2, "siemens", "done"),
            (
                "milestone",
                "Prüfaufbau Isolationsmessung (Demo)",
                "2024-03-31",
                3,
                "weissgerber-engineering",
                "done",
            ),
            ("deliverable", "D4.1 Demonstrator (Demo)", "2025-06-15", 4, "fh-dortmund", "open"),
        ],
        "news": [
            (
                "Demonstrator in Arbeit (Demo)",
                "Der Hochvolt-Demonstrator wird in Dortmund aufgebaut. (Demo-Meldung)",
                "2025-01-15T11:00",
                True,
            ),
        ],
        "document": (
            "Poster KV-BATT-Tech (Demo)",
            "Poster für die Clusterkonferenz (Demo-Dokument).",
            True,
        ),
    },
}


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF with text (Helvetica, Latin-1), cross-reference table
    included."""

    def pdf_text(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = ["BT", "/F1 18 Tf", "72 770 Td", f"({pdf_text(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        commands += ["0 -22 Td", f"({pdf_text(line)}) Tj"]
    commands.append("ET")
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        output += b"%010d 00000 n \n" % offset
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(output)


def _berlin(value: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(value))


def _author(project: Project):
    coordinator = project.participations.filter(role="coordinator").first()
    if coordinator is None:
        return None
    membership = (
        Membership.objects.filter(organisation_id=coordinator.organisation_id)
        .select_related("user")
        .order_by("-role", "id")
        .first()
    )
    return membership.user if membership else None


def _store_document(project: Project, title: str, description: str, is_public: bool, author):
    document, _created = Document.objects.get_or_create(
        project=project,
        title=title,
        defaults={"description": description, "is_public": is_public, "created_by": author},
    )
    if document.versions.exists():
        return 0
    content = demo_pdf(
        title,
        [
            f"{project.acronym}: {project.title_de}",
            "Demo-Dokument des SPIN-Portals, ohne echten Inhalt.",
            f"Laufzeit: {project.start_date:%d.%m.%Y} bis {project.end_date:%d.%m.%Y}",
        ],
    )
    name = f"{project.slug}-demo.pdf"
    checked = check_upload(ContentFile(content, name=name))
    version = DocumentVersion(
        document=document,
        number=1,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=author,
    )
    version.file.save(name, ContentFile(content), save=False)
    storage, stored = version.file.storage, version.file.name
    try:
        version.save()
    except Exception:
        storage.delete(stored)
        raise
    return 1


@transaction.atomic
def seed_workplan() -> dict[str, int]:
    """Work packages, milestones, news and a document for the demo projects. Safe to run again;
    projects that do not exist (yet) are skipped."""
    created = {"work_packages": 0, "milestones": 0, "news": 0, "documents": 0}
    organisations = {o.slug: o for o in Organisation.objects.filter(is_demo=True)}
    for acronym, plan in WORKPLANS.items():
        project = Project.objects.filter(acronym=acronym).first()
        if project is None:
            continue
        author = _author(project)
        packages = {}
        for number, title, lead, start, end in plan["work_packages"]:
            package, was_created = WorkPackage.objects.get_or_create(
                project=project,
                number=number,
                defaults={
                    "title": title,
                    "lead_organisation": organisations.get(lead),
                    "start_month": start,
                    "end_month": end,
                },
            )
            packages[number] = package
            created["work_packages"] += was_created
        for kind, title, due, package_number, responsible, status in plan["milestones"]:
            _milestone, was_created = Milestone.objects.get_or_create(
                project=project,
                title=title,
                defaults={
                    "kind": kind,
                    "due_date": dt.date.fromisoformat(due),
                    "work_package": packages.get(package_number),
                    "responsible_organisation": organisations.get(responsible),
                    "status": status,
                },
            )
            created["milestones"] += was_created
        for title, text, published, is_public in plan["news"]:
            _post, was_created = NewsPost.objects.get_or_create(
                project=project,
                title=title,
                defaults={
                    "text": text,
                    "published_at": _berlin(published),
                    "is_public": is_public,
                    "author": author,
                },
            )
            created["news"] += was_created
        title, description, is_public = plan["document"]
        created["documents"] += _store_document(project, title, description, is_public, author)
    return created
