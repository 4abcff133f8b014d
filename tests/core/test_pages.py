import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "home",
    "imprint",
    "privacy",
    "account_login",
    "account_signup",
    "account_reset_password",
]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_render_with_landmarks_and_no_outside_requests(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<nav " in html
    assert "<footer" in html
    # every script and stylesheet comes from the portal itself
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    assert [s for s in sources if not s.startswith("/static/")] == []


def test_home_shows_cluster_figures_and_public_projects(client):
    ProjectFactory(acronym="DIANE", visibility="public")
    ProjectFactory(acronym="SECRET", visibility="consortium")
    response = client.get(reverse("home"))
    assert response.context["project_count"] == 1
    assert [p.acronym for p in response.context["projects"]] == ["DIANE"]
    assert "SECRET" not in response.content.decode()


def test_every_script_carries_the_csp_nonce(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert len(scripts) == 2
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_admin_is_titled_spin_portal(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "| SPIN Portal</title>" in response.content.decode()
    assert response.context["site_header"] == "SPIN Portal"


PROJECT_APPS = {"accounts", "partners", "projects", "matchmaking", "notifications", "spinportal"}
# Models deliberately without admin pages, with the reason.
NOT_IN_ADMIN = {
    # a cache of binary vectors keyed by a content hash, nothing to read or change; staff
    # see the embedding errors on the matching profiles
    "matchmaking.Embedding": "cache of binary vectors",
}
PROJECT_MODELS = [
    m
    for m in apps.get_models()
    if m._meta.app_label in PROJECT_APPS and m._meta.label not in NOT_IN_ADMIN
]


def test_every_project_model_is_registered_in_the_admin():
    missing = [m._meta.label for m in PROJECT_MODELS if m not in admin.site._registry]
    assert missing == []
    # and the exempt ones really are not there (and exist)
    exempt = [apps.get_model(label) for label in NOT_IN_ADMIN]
    assert [m._meta.label for m in exempt if m in admin.site._registry] == []


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelists_load_with_search_and_list_columns(client, model):
    from tests.factories import StaffFactory

    superuser = StaffFactory(is_superuser=True)
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) >= 2
    assert model_admin.search_fields
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url, {"q": "test"}).status_code == 200


def test_admin_is_closed_to_partners(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
