"""Demo work plans: idempotent, valid PDF documents, stored privately."""

import re

import pytest

from demo.seed import seed_cluster
from demo.seed_workplan import demo_pdf, seed_workplan
from projects.models import Document, DocumentVersion, Milestone, NewsPost, WorkPackage
from projects.uploads import check_upload
from tests.projects.factories_workplan import stored_files, upload, use_private_storage


@pytest.fixture
def storage(monkeypatch, tmp_path):
    return use_private_storage(monkeypatch, tmp_path)


@pytest.mark.django_db
def test_seed_workplan_is_idempotent(storage):
    # given the demo cluster (which may already call seed_workplan itself)
    seed_cluster()
    seed_workplan()
    counts = (
        WorkPackage.objects.count(),
        Milestone.objects.count(),
        NewsPost.objects.count(),
        Document.objects.count(),
        DocumentVersion.objects.count(),
    )
    assert counts == (12, 12, 5, 3, 3)
    # when it runs again, then nothing is added
    assert seed_workplan() == {"work_packages": 0, "milestones": 0, "news": 0, "documents": 0}
    assert DocumentVersion.objects.count() == 3
    assert len(stored_files(storage)) == 3
    assert set(Document.objects.values_list("project__acronym", flat=True)) == {
        "DIANE",
        "Fit4eChange",
        "KV-BATT-Tech",
    }
    assert all("(Demo)" in title for title in NewsPost.objects.values_list("title", flat=True))


def test_demo_pdf_is_a_valid_pdf():
    content = demo_pdf("Titel (Demo)", ["Zeile ä"])
    assert check_upload(upload("demo.pdf", content)).content_type == "application/pdf"
    # the cross-reference table points at the objects
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", content)]
    assert [content[o : o + 7] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    startxref = int(re.search(rb"startxref\n(\d+)", content)[1])
    assert content[startxref : startxref + 4] == b"xref"
