import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import User
from partners.admin_people import export_people_csv
from partners.models import Competence
from spinportal.models import AuditRecord
from tests.factories import (
    CompetenceFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "people:directory",
    "people:detail",
    "people:export",
    "v1_people_list",
    "v1_people_retrieve",
]

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("people:directory")
API = "/api/v1/people/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def expert(organisation):
    """A member of `organisation` (which works on electrolysis) who shares the phone only."""
    # The shipped taxonomy: electrolysis (synonyms PEM, SOEC, …) is narrower than hydrogen.
    electrolysis = Competence.objects.get(slug="electrolysis")
    organisation.competences.add(electrolysis)
    person = UserFactory(
        full_name="Dr. Eva Stack",
        position="Head of stack testing",
        expertise="Degradation of PEM stacks",
        phone="+49 231 1234",
        show_email=False,
        show_phone=True,
    )
    MembershipFactory(user=person, organisation=organisation)
    return person


def people_names(response) -> list[str]:
    return [person.full_name for person in response.context["page"].object_list]


# --- Directory --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("other_partner", 200), ("org_member", 200), ("staff", 200)],
)
def test_directory_matrix(request, client, expert, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(DIRECTORY)
    assert response.status_code == status
    if status == 302:
        assert response.url == f"{reverse('account_login')}?next={DIRECTORY}"
        return
    assert "Dr. Eva Stack" in people_names(response)


def test_directory_lists_only_members_of_active_organisations(client, user, expert):
    pending = OrganisationFactory(status="pending")
    MembershipFactory(user=UserFactory(full_name="Pending Person"), organisation=pending)
    UserFactory(full_name="Lonely Person")  # no organisation
    inactive = UserFactory(full_name="Inactive Person", is_active=False)
    MembershipFactory(user=inactive, organisation=expert.memberships.get().organisation)
    client.force_login(user)
    assert people_names(client.get(DIRECTORY)) == ["Dr. Eva Stack"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "stack testing"}, ["Dr. Eva Stack"]),
        ({"q": "degradation"}, ["Dr. Eva Stack"]),
        ({"q": "soec"}, ["Dr. Eva Stack"]),  # synonym of the organisation's competence
        ({"q": "nobody here"}, []),
        ({"competence": "hydrogen"}, ["Dr. Eva Stack"]),  # narrower concepts included
        ({"competence": "electrolysis"}, ["Dr. Eva Stack"]),
    ],
)
def test_expert_search(client, user, expert, query, expected):
    MembershipFactory(user=UserFactory(full_name="Other Expert", position="Lawyer"))
    client.force_login(user)
    assert people_names(client.get(DIRECTORY, query)) == expected


def test_filter_by_organisation(client, user, expert, organisation):
    MembershipFactory(user=UserFactory(full_name="Elsewhere"))
    client.force_login(user)
    response = client.get(DIRECTORY, {"organisation": organisation.slug})
    assert people_names(response) == ["Dr. Eva Stack"]


def test_unknown_filter_value_names_the_field(client, user, expert):
    client.force_login(user)
    response = client.get(DIRECTORY, {"competence": "unknown"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["competence"]


def test_directory_shows_only_shared_contact_data(client, other_partner, expert):
    client.force_login(other_partner)
    response = client.get(DIRECTORY)
    assert b"+49 231 1234" in response.content
    assert expert.email.encode() not in response.content


def make_people(organisation, count):
    competence = CompetenceFactory()
    organisation.competences.add(competence)
    for _ in range(count):
        MembershipFactory(organisation=organisation)
        MembershipFactory()  # each in their own organisation, too


@pytest.mark.parametrize("count", [10, 100])
def test_directory_query_count(client, user, organisation, count, django_assert_num_queries):
    make_people(organisation, count)
    client.force_login(user)
    client.get(DIRECTORY)
    # session, user, people count, people page, memberships, competences,
    # competence and organisation options of the search form
    with django_assert_num_queries(8):
        response = client.get(DIRECTORY, {"q": "Person"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2 * count


# --- Person detail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("other_partner", 200), ("org_member", 200), ("staff", 200)],
)
def test_person_detail_matrix(request, client, expert, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("people:detail", kwargs={"pk": expert.pk}))
    assert response.status_code == status


def test_person_detail_content(client, other_partner, expert):
    client.force_login(other_partner)
    response = client.get(reverse("people:detail", kwargs={"pk": expert.pk}))
    person = response.context["person"]
    assert (person.visible_email, person.visible_phone) == ("", "+49 231 1234")
    assert [c.slug for c in person.competence_list] == ["electrolysis"]
    assert b"Degradation of PEM stacks" in response.content


def test_invisible_person_is_404(client, user):
    pending = OrganisationFactory(status="pending")
    hidden = MembershipFactory(organisation=pending).user
    loner = UserFactory()
    client.force_login(user)
    for person in (hidden, loner):
        assert client.get(reverse("people:detail", kwargs={"pk": person.pk})).status_code == 404
    assert client.get(reverse("people:detail", kwargs={"pk": 999999})).status_code == 404


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_partner", 200), ("org_member", 200), ("staff", 200)],
)
def test_api_matrix(request, api_client, expert, who, status):
    if who != "anonymous":
        api_client.force_authenticate(request.getfixturevalue(who))
    list_response = api_client.get(API)
    detail_response = api_client.get(f"{API}{expert.pk}/")
    assert (list_response.status_code, detail_response.status_code) == (status, status)
    if status == 401:
        assert list_response.json()["code"] == "not_authenticated"


def test_api_person(api_client, other_partner, expert, organisation):
    api_client.force_authenticate(other_partner)
    data = api_client.get(f"{API}{expert.pk}/").json()
    assert data == {
        "id": expert.pk,
        "display_name": "Dr. Eva Stack",
        "full_name": "Dr. Eva Stack",
        "title": "",
        "position": "Head of stack testing",
        "expertise": "Degradation of PEM stacks",
        "email": None,
        "phone": "+49 231 1234",
        "photo": None,
        "organisations": [{"slug": organisation.slug, "name": organisation.name, "role": "member"}],
        "competences": [{"slug": "electrolysis", "name": "Elektrolyse"}],
    }


def test_api_shows_own_contact_data(api_client, expert):
    api_client.force_authenticate(expert)
    assert api_client.get(f"{API}{expert.pk}/").json()["email"] == expert.email


def test_api_filters(api_client, user, expert, organisation):
    MembershipFactory(user=UserFactory(full_name="Elsewhere"))
    api_client.force_authenticate(user)

    def names(params):
        response = api_client.get(API, params)
        assert response.status_code == 200
        return [person["full_name"] for person in response.json()["results"]]

    assert names({}) == ["Dr. Eva Stack", "Elsewhere"]
    assert names({"organisation": organisation.slug}) == ["Dr. Eva Stack"]
    assert names({"competence": "hydrogen"}) == ["Dr. Eva Stack"]
    assert names({"search": "pem"}) == ["Dr. Eva Stack"]
    assert names({"search": "elsewhere"}) == ["Elsewhere"]


def test_api_bad_filter_names_the_field(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.get(API, {"competence": "unknown", "organisation": "nope"})
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert sorted(body["errors"]) == ["competence", "organisation"]


def test_api_invisible_person_is_404(api_client, user):
    hidden = MembershipFactory(organisation=OrganisationFactory(status="pending")).user
    api_client.force_authenticate(user)
    response = api_client.get(f"{API}{hidden.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_is_read_only(api_client, user, expert):
    api_client.force_authenticate(user)
    assert api_client.post(API, {"full_name": "x"}).status_code == 405
    assert api_client.patch(f"{API}{expert.pk}/", {"full_name": "x"}).status_code == 405
    expert.refresh_from_db()
    assert expert.full_name == "Dr. Eva Stack"


@pytest.mark.parametrize("count", [10, 100])
def test_api_query_count(api_client, user, organisation, count, django_assert_num_queries):
    make_people(organisation, count)
    api_client.force_authenticate(user)
    # count, page of people, memberships, competences
    with django_assert_num_queries(4):
        response = api_client.get(API, {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] == 2 * count


# --- Profile ------------------------------------------------------------------------------------

PROFILE = reverse("people:profile")


def profile_data(**changes):
    data = {
        "full_name": "Eva Stack",
        "title": "Dr.",
        "position": "Head of testing",
        "expertise": "PEM stacks",
        "phone": "+49 231 55",
        "show_email": "",
        "show_phone": "on",
        "language": "en",
    }
    data.update(changes)
    return data


def image_file(image_format="PNG", size=(300, 200), name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 90, 170)).save(buffer, format=image_format)
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_profile_needs_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_profile_update_with_photo(client, user):
    client.force_login(user)
    assert client.get(PROFILE).status_code == 200
    response = client.post(PROFILE, {**profile_data(), "photo_upload": image_file("JPEG")})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.show_email, user.show_phone, user.language) == (
        "Dr. Eva Stack",
        False,
        True,
        "en",
    )
    assert user.photo.name.startswith("people/")
    assert user.photo.name.endswith(".jpg")
    with Image.open(user.photo.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (300, 200))
    assert AuditRecord.objects.filter(action="profile.update", actor=user).count() == 1


def test_profile_photo_is_scaled_down_and_removable(client, user):
    client.force_login(user)
    client.post(PROFILE, {**profile_data(), "photo_upload": image_file(size=(1600, 800))})
    user.refresh_from_db()
    with Image.open(user.photo.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (800, 400))
    client.post(PROFILE, {**profile_data(), "remove_photo": "on"})
    user.refresh_from_db()
    assert user.photo.name == ""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (io.BytesIO(b"<?php echo 1; ?>"), "The file is not a readable PNG, JPEG or WebP image."),
        (image_file("GIF", name="photo.png"), "Upload a PNG, JPEG or WebP image."),
        (io.BytesIO(b"\x89PNG" + b"0" * (2 * 1024 * 1024)), "The photo is larger than 2 MB."),
    ],
)
def test_profile_rejects_bad_photos(client, user, upload, message):
    upload.name = getattr(upload, "name", "photo.png")
    client.force_login(user)
    response = client.post(PROFILE, {**profile_data(), "photo_upload": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {"photo_upload": [message]}
    user.refresh_from_db()
    assert (user.full_name, user.photo.name) == (user.full_name, "")
    assert user.position == ""


def test_profile_requires_a_name(client, user):
    client.force_login(user)
    response = client.post(PROFILE, profile_data(full_name="   "))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["full_name"]
    user.refresh_from_db()
    assert user.position == ""


# --- CSV export ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("other_partner", 403), ("org_admin", 403), ("staff", 200)],
)
def test_export_matrix(request, client, expert, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("people:export")).status_code == status


def test_export_contains_only_shared_contact_data(client, staff, expert, organisation):
    MembershipFactory(user=UserFactory(full_name="=HYPERLINK(1)", email="shared@example.org"))
    client.force_login(staff)
    response = client.get(reverse("people:export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Id", "Name", "Title", "Position", "E-mail", "Phone"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Dr. Eva Stack"][4:7] == ["", "+49 231 1234", f"{organisation.name} (Member)"]
    assert by_name["'=HYPERLINK(1)"][4:6] == ["shared@example.org", ""]


def test_export_admin_action(rf, staff, expert):
    # The action is meant for the user admin's `actions` (accounts/admin.py, see report).
    request = rf.post("/")
    request.user = staff
    response = export_people_csv(None, request, User.objects.all())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Dr. Eva Stack"]


def test_queries_do_not_grow_with_memberships_per_person(api_client, user, organisation):
    person = MembershipFactory(organisation=organisation).user
    for _ in range(5):
        MembershipFactory(user=person)
    api_client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        api_client.get(API)
    assert len(queries) == 4
