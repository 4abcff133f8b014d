"""Organisation services, logo processing and the admin (moderation queue, CSV export)."""

import io
from types import SimpleNamespace

import pytest
from django.contrib.admin import site
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from partners.images import process_logo
from partners.models import Organisation
from partners.services.organisations import (
    organisation_approve,
    organisation_register,
    organisation_reject,
    organisation_update,
)
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.partners.factories_organisations import image_bytes, upload

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def superuser(db):
    return StaffFactory(is_superuser=True)


@pytest.mark.django_db
def test_register_reserves_page_slugs_and_numbers_duplicates(user):
    first = organisation_register(actor=user, name="Register", kind="sme", confirm_similar=True)
    second = organisation_register(actor=user, name="Register!", kind="sme", confirm_similar=True)
    assert (first.slug, second.slug) == ("register-2", "register-3")


@pytest.mark.django_db
def test_register_needs_a_logged_in_user(db):
    with pytest.raises(PermissionDenied):
        organisation_register(actor=None, name="Anonym GmbH", kind="sme")
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_update_by_a_member_is_refused_and_changes_nothing(organisation, org_member):
    with pytest.raises(PermissionDenied):
        organisation_update(actor=org_member, organisation=organisation, city="Hagen")
    organisation.refresh_from_db()
    assert organisation.city == "Dortmund"
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_update_refuses_a_parent_cycle(organisation, org_admin):
    child = OrganisationFactory(parent=organisation)
    with pytest.raises(ValidationError) as error:
        organisation_update(actor=org_admin, organisation=organisation, parent=child)
    assert list(error.value.message_dict) == ["parent"]


@pytest.mark.django_db
def test_update_without_changes_leaves_no_audit_row(organisation, org_admin):
    organisation_update(actor=org_admin, organisation=organisation, city=organisation.city)
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_approve_and_reject_need_staff(organisation, org_admin, staff):
    Organisation.objects.filter(pk=organisation.pk).update(status="pending")
    with pytest.raises(PermissionDenied):
        organisation_approve(actor=org_admin, organisation=organisation)
    with pytest.raises(PermissionDenied):
        organisation_reject(actor=org_admin, organisation=organisation, reason="x")
    assert Organisation.objects.get(pk=organisation.pk).status == "pending"
    with pytest.raises(ValidationError) as error:
        organisation_reject(actor=staff, organisation=organisation, reason="  ")
    assert list(error.value.message_dict) == ["rejection_reason"]
    organisation_reject(actor=staff, organisation=organisation, reason="Dublette")
    organisation_approve(actor=staff, organisation=organisation)
    organisation.refresh_from_db()
    assert (organisation.status, organisation.rejection_reason) == ("active", "")
    with pytest.raises(ValidationError):
        organisation_approve(actor=staff, organisation=organisation)
    assert list(AuditRecord.objects.order_by("id").values_list("action", "data")) == [
        ("organisation.rejected", {"reason": "Dublette"}),
        ("organisation.approved", {"previous": "rejected"}),
    ]


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg")])
def test_logo_is_reencoded_and_thumbnailed(image_format, extension):
    logo = process_logo(upload(f"x.{extension}", image_bytes(image_format, (1200, 600))))
    assert logo.image.name.endswith(f".{extension}")
    thumbnail = Image.open(io.BytesIO(logo.thumbnail.read()))
    assert (thumbnail.format, thumbnail.size) == (image_format, (256, 128))


def test_webp_logo_is_accepted():
    logo = process_logo(upload("x.webp", image_bytes("WEBP", (100, 100)), "image/webp"))
    assert logo.image.name.endswith(".webp")


def test_truncated_png_is_refused():
    content = image_bytes("PNG", (500, 500))[:200]
    with pytest.raises(ValidationError) as error:
        process_logo(upload("x.png", content))
    assert error.value.code == "invalid_image"


@pytest.mark.django_db
def test_logo_replacement_removes_the_old_files_after_commit(
    organisation, org_admin, django_capture_on_commit_callbacks
):
    # given an organisation with a logo
    first = process_logo(upload("a.png", image_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(actor=org_admin, organisation=organisation, logo=first)
    organisation.refresh_from_db()
    old_name = organisation.logo.name
    storage = organisation.logo.storage
    assert storage.exists(old_name)
    # when the admin uploads another one
    second = process_logo(upload("b.png", image_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(actor=org_admin, organisation=organisation, logo=second)
    # then the old file is gone and the new one is stored
    organisation.refresh_from_db()
    assert not storage.exists(old_name)
    assert storage.exists(organisation.logo.name)


@pytest.mark.django_db
def test_admin_queue_lists_pending_only_and_approves(client, superuser):
    pending = OrganisationFactory(status="pending", name="Wartet GmbH")
    OrganisationFactory(name="Aktiv GmbH")
    client.force_login(superuser)
    page = client.get("/admin/partners/pendingorganisation/").content.decode()
    assert "Wartet GmbH" in page
    assert "Aktiv GmbH" not in page
    response = client.post(
        "/admin/partners/pendingorganisation/",
        {"action": "approve_selected", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "active"
    assert AuditRecord.objects.get().actor == superuser


@pytest.mark.django_db
def test_admin_reject_action_asks_for_a_reason(client, superuser):
    pending = OrganisationFactory(status="pending")
    client.force_login(superuser)
    url = "/admin/partners/organisation/"
    # when superuser choose the action, then a form asks for the reason and nothing changes
    form = client.post(url, {"action": "reject_selected", "_selected_action": [pending.pk]})
    assert form.status_code == 200
    assert "rejection_reason" in form.content.decode()
    assert Organisation.objects.get(pk=pending.pk).status == "pending"
    # when they give it, then the organisation is rejected with that reason
    client.post(
        url,
        {
            "action": "reject_selected",
            "_selected_action": [pending.pk],
            "apply": "1",
            "rejection_reason": "Außerhalb der Region",
        },
    )
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == ("rejected", "Außerhalb der Region")


@pytest.mark.django_db
def test_admin_change_page_has_memberships_inline_and_saving_is_audited(
    client, rf, superuser, organisation
):
    client.force_login(superuser)
    MembershipFactory(organisation=organisation)
    page = client.get(f"/admin/partners/organisation/{organisation.pk}/change/")
    assert page.status_code == 200
    assert "memberships-TOTAL_FORMS" in page.content.decode()
    # when superuser save a change, then the audit row names them and the fields
    request = rf.post("/")
    request.user = superuser
    organisation.city = "Hamm"
    form = SimpleNamespace(changed_data=["city"])
    site._registry[Organisation].save_model(request, organisation, form, change=True)
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.data) == (
        "organisation.changed_in_admin",
        superuser,
        {"fields": ["city"]},
    )


@pytest.mark.django_db
def test_admin_csv_export_neutralises_formulas(client, superuser):
    organisation = OrganisationFactory(name="=HYPERLINK(evil)", keywords="a, b")
    client.force_login(superuser)
    response = client.post(
        "/admin/partners/organisation/",
        {"action": "export_csv", "_selected_action": [organisation.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("public_id,name,short_name,slug,kind,status")
    assert lines[1].split(",")[1] == "'=HYPERLINK(evil)"
