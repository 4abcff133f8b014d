"""Organisation pages: permission matrix, registration, editing, moderation."""

import pytest
from django.urls import reverse

from partners.models import Membership, Organisation
from spinportal.models import AuditRecord
from tests.factories import CompetenceFactory, MembershipFactory, OrganisationFactory
from tests.partners.factories_organisations import image_bytes, upload

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "organisations:directory",
    "organisations:detail",
    "organisations:edit",
    "organisations:register",
    "organisations:moderation",
    "organisations:approve",
    "organisations:reject",
]


ACTORS = ["anonymous", "other_partner", "member", "admin", "staff"]


@pytest.fixture
def as_actor(client, org_admin, org_member, other_partner, staff):
    users = {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "admin": org_admin,
        "staff": staff,
    }

    def login(actor):
        client.logout()
        if users[actor] is not None:
            client.force_login(users[actor])
        return client

    return login


def statuses(as_actor, method, url, data=None, actors=ACTORS):
    result = []
    for actor in actors:
        client = as_actor(actor)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        result.append(response.status_code)
    return result


@pytest.mark.django_db
def test_directory_and_active_detail_are_public(as_actor, organisation):
    assert statuses(as_actor, "get", reverse("organisations:directory")) == [200] * 5
    detail = reverse("organisations:detail", kwargs={"slug": organisation.slug})
    assert statuses(as_actor, "get", detail) == [200] * 5


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "rejected", "inactive"])
def test_unapproved_detail_only_for_its_admins_and_staff(as_actor, organisation, status):
    Organisation.objects.filter(pk=organisation.pk).update(
        status=status, rejection_reason="Keine Verbindung zum Cluster"
    )
    detail = reverse("organisations:detail", kwargs={"slug": organisation.slug})
    assert statuses(as_actor, "get", detail) == [404, 404, 404, 200, 200]


@pytest.mark.django_db
def test_edit_page_matrix(as_actor, organisation):
    url = reverse("organisations:edit", kwargs={"slug": organisation.slug})
    assert statuses(as_actor, "get", url) == [302, 403, 403, 200, 200]


@pytest.mark.django_db
def test_edit_denied_changes_nothing(as_actor, organisation):
    url = reverse("organisations:edit", kwargs={"slug": organisation.slug})
    data = {"name": "Gekapert GmbH", "kind": "sme", "country": "DE"}
    assert statuses(as_actor, "post", url, data, actors=ACTORS[:3]) == [302, 403, 403]
    organisation.refresh_from_db()
    assert organisation.name != "Gekapert GmbH"
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_edit_of_pending_organisation_is_404_for_others(as_actor, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(status="pending")
    url = reverse("organisations:edit", kwargs={"slug": organisation.slug})
    assert statuses(as_actor, "get", url) == [302, 404, 404, 200, 200]


@pytest.mark.django_db
def test_register_and_moderation_matrix(as_actor):
    assert statuses(as_actor, "get", reverse("organisations:register")) == [302, 200, 200, 200, 200]
    assert statuses(as_actor, "get", reverse("organisations:moderation")) == [
        302,
        403,
        403,
        403,
        200,
    ]


@pytest.mark.django_db
def test_approve_and_reject_matrix_changes_nothing_on_denial(as_actor, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(status="pending")
    approve = reverse("organisations:approve", kwargs={"slug": organisation.slug})
    reject = reverse("organisations:reject", kwargs={"slug": organisation.slug})
    # Staff is left out here: its approval would change the state for the next request.
    for actor, expected in zip(ACTORS[:4], [302, 403, 403, 403], strict=True):
        assert as_actor(actor).post(approve).status_code == expected
        assert as_actor(actor).post(reject, {"rejection_reason": "x"}).status_code == expected
    organisation.refresh_from_db()
    assert organisation.status == "pending"
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_member_sees_people_and_shared_contacts_only(client, organisation, org_member):
    # given a colleague who shares the e-mail address but not the phone number
    colleague = MembershipFactory(organisation=organisation, role="admin").user
    colleague.phone = "+49 231 123456"
    colleague.show_phone = False
    colleague.save()
    url = reverse("organisations:detail", kwargs={"slug": organisation.slug})
    # when an anonymous visitor looks, then no people are shown
    anonymous = client.get(url).content.decode()
    assert colleague.full_name not in anonymous
    # when a partner looks, then the name and the shared e-mail are shown, the phone is not
    client.force_login(org_member)
    page = client.get(url).content.decode()
    assert colleague.full_name in page
    assert colleague.email in page
    assert "+49 231 123456" not in page


@pytest.mark.django_db
def test_detail_renders_sanitised_markdown(client):
    organisation = OrganisationFactory(
        description_de="**Stark** <script>alert(1)</script> [x](javascript:alert(2))",
        description_en="",
    )
    page = client.get(reverse("organisations:detail", kwargs={"slug": organisation.slug}))
    html = page.content.decode()
    assert "<strong>Stark</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:alert" not in html


@pytest.mark.django_db
def test_detail_lookup_by_slug_shows_visible_units_only(client, organisation):
    OrganisationFactory(name="Sichtbare Gruppe", parent=organisation)
    OrganisationFactory(name="Wartende Gruppe", parent=organisation, status="pending")
    html = client.get(reverse("organisations:detail", kwargs={"slug": organisation.slug}))
    assert "Sichtbare Gruppe" in html.content.decode()
    assert "Wartende Gruppe" not in html.content.decode()


def _form_data(**overrides):
    data = {
        "name": "Neue Speicher GmbH",
        "short_name": "",
        "kind": "startup",
        "street": "Emil-Figge-Str. 42",
        "postcode": "44227",
        "city": "Dortmund",
        "country": "DE",
        "website": "https://speicher.example",
        "email": "info@speicher.example",
        "phone": "",
        "size_band": "1-9",
        "description_de": "Wir bauen **Speicher**.",
        "description_en": "",
        "keywords": "Redox-Flow, Speicher",
        "parent": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_creates_pending_organisation_with_admin_and_audit(client, user):
    competence = CompetenceFactory()
    client.force_login(user)
    # when a partner registers an organisation with a logo
    response = client.post(
        reverse("organisations:register"),
        {
            **_form_data(competences=[competence.pk]),
            "logo": upload("logo.png", image_bytes()),
        },
    )
    # then it is pending, they are its admin, and the registration is audited
    organisation = Organisation.objects.get(name="Neue Speicher GmbH")
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{organisation.slug}/"
    assert organisation.slug == "neue-speicher-gmbh"
    assert organisation.status == "pending"
    assert list(organisation.competences.all()) == [competence]
    assert organisation.logo.name.endswith(".png")
    assert organisation.logo_thumbnail.name.endswith("-thumb.png")
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == "admin"
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.target_id) == (
        "organisation.registered",
        user,
        str(organisation.pk),
    )
    # and the new admin sees it while others do not
    assert client.get(response["Location"]).status_code == 200
    client.logout()
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"postcode": "4413"}, "postcode"),
        ({"postcode": "ABC!"}, "postcode"),
        ({"website": "not a url"}, "website"),
        ({"email": "nobody@"}, "email"),
        ({"competences": ["999999"]}, "competences"),
        ({"kind": "alien"}, "kind"),
        ({"parent": "no-such-organisation"}, "parent"),
    ],
)
def test_register_names_the_failing_field_and_saves_nothing(client, user, overrides, field):
    client.force_login(user)
    response = client.post(reverse("organisations:register"), _form_data(**overrides))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert Organisation.objects.count() == 0
    assert Membership.objects.count() == 0
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        ("logo.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
        ("logo.jpg", b"GIF89a" + b"\x00" * 100, "GIF"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG, JPEG or WebP"),
        ("logo.png", b"\x00" * (2 * 1024 * 1024 + 1), "at most 2 MB"),
    ],
)
def test_register_refuses_disguised_or_oversized_logo(client, user, name, content, reason):
    client.force_login(user)
    response = client.post(
        reverse("organisations:register"), {**_form_data(), "logo": upload(name, content)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["logo"]
    assert reason in errors["logo"][0]
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_register_refuses_logo_larger_than_4000_pixels(client, user):
    client.force_login(user)
    content = image_bytes("PNG", (4001, 10))
    response = client.post(
        reverse("organisations:register"), {**_form_data(), "logo": upload("l.png", content)}
    )
    assert response.context["form"].errors["logo"] == [
        "The image is 4001 × 10 pixels; logos may be at most 4000 × 4000 pixels."
    ]
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_register_duplicate_name_is_refused_and_similar_name_needs_confirmation(client, user):
    OrganisationFactory(name="Thyssen Speicher GmbH")
    client.force_login(user)
    url = reverse("organisations:register")
    # when the exact name (in other case) is registered again, then it is refused
    response = client.post(url, _form_data(name="thyssen speicher gmbh"))
    assert "already registered" in response.context["form"].errors["name"][0]
    # when a similar name is registered, then a warning names the existing organisation
    response = client.post(url, _form_data(name="Thyssen Speicher AG"))
    assert "“Thyssen Speicher GmbH”" in response.context["form"].errors["name"][0]
    assert Organisation.objects.count() == 1
    # when the partner confirms, then it is registered
    response = client.post(url, _form_data(name="Thyssen Speicher AG", confirm_similar="on"))
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
def test_admin_edits_profile_and_change_is_audited(client, organisation, org_admin):
    client.force_login(org_admin)
    url = reverse("organisations:edit", kwargs={"slug": organisation.slug})
    response = client.post(url, _form_data(name="Umbenannt GmbH"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Umbenannt GmbH"
    assert organisation.status == "active"
    record = AuditRecord.objects.get()
    assert record.action == "organisation.updated"
    assert record.actor == org_admin
    assert "name" in record.data["fields"]


@pytest.mark.django_db
def test_staff_moderation_page_approves_and_rejects(client, staff, user):
    # given two pending organisations
    first = OrganisationFactory(status="pending", name="Erste Wartende GmbH")
    second = OrganisationFactory(status="pending", name="Zweite Wartende GmbH")
    MembershipFactory(organisation=first, user=user, role="admin")
    client.force_login(staff)
    page = client.get(reverse("organisations:moderation")).content.decode()
    assert "Erste Wartende GmbH" in page
    assert user.email in page
    # when staff approve the first and reject the second without, then with a reason
    client.post(reverse("organisations:approve", kwargs={"slug": first.slug}))
    empty = client.post(
        reverse("organisations:reject", kwargs={"slug": second.slug}), {"rejection_reason": ""}
    )
    assert empty.status_code == 400
    client.post(
        reverse("organisations:reject", kwargs={"slug": second.slug}),
        {"rejection_reason": "Nicht im Ruhrgebiet"},
    )
    # then the states and the audit trail say so
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "active"
    assert (second.status, second.rejection_reason) == ("rejected", "Nicht im Ruhrgebiet")
    assert list(AuditRecord.objects.order_by("id").values_list("action", "actor")) == [
        ("organisation.approved", staff.pk),
        ("organisation.rejected", staff.pk),
    ]
