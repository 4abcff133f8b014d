import pytest
from django.core import mail
from django.urls import reverse

from notifications.emails import unsubscribe_token
from notifications.models import Notification, Preference
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _event(user, key="1"):
    return notify(
        event_type="project.news",
        recipients=[user],
        event_key=key,
        url="/projects/diane/",
        context={"project": "DIANE", "title": "Kick-off"},
    )


def test_notification_centre_requires_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/notifications/"


def test_centre_lists_own_notifications_with_constant_queries(
    client, user, django_assert_num_queries
):
    for key in range(3):
        _event(user, key=str(key))
    _event(UserFactory(), key="other")
    client.force_login(user)
    # session, user, count for paginator, page of notifications, unread count
    with django_assert_num_queries(5):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert [n.line for n in response.context["page"].object_list] == ["DIANE: Kick-off"] * 3
    for key in range(3, 30):
        _event(user, key=str(key))
    with django_assert_num_queries(5):
        client.get(reverse("notifications:list"))


def test_unread_badge_counts(client, user):
    _event(user, "1")
    _event(user, "2")
    client.force_login(user)
    response = client.get(reverse("notifications:unread_badge"))
    assert response.context["unread"] == 2
    assert '2<span class="visually-hidden"> ungelesene Benachrichtigungen</span>' in (
        response.content.decode()
    )


def test_mark_read_follows_the_link(client, user):
    notification = _event(user)[0]
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/projects/diane/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_404_and_stays_unread(client, user):
    notification = _event(UserFactory())[0]
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(client, user):
    _event(user, "1")
    _event(user, "2")
    other = _event(UserFactory(), "3")[0]
    client.force_login(user)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_page_saves_choices_but_not_for_mandatory_events(client, user):
    client.force_login(user)
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    assert response.context["form"].fields["invitation.received"].disabled is True
    data = {key: field.initial for key, field in response.context["form"].fields.items()}
    data["project.news"] = "off"
    data["invitation.received"] = "off"  # disabled field: ignored
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert list(Preference.objects.filter(user=user).values_list("event_type", "frequency")) == [
        ("project.news", "off")
    ]


def test_staff_only_events_are_not_offered_to_partners(client, user, staff):
    client.force_login(user)
    assert (
        "organisation.pending"
        not in client.get(reverse("notifications:preferences")).context["form"].fields
    )
    client.force_login(staff)
    assert (
        "organisation.pending"
        in client.get(reverse("notifications:preferences")).context["form"].fields
    )


def test_one_click_unsubscribe_without_login(client, user):
    token = unsubscribe_token(user_id=user.pk, event_type="project.news")
    url = reverse("notifications:unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert Preference.objects.count() == 0
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(user=user).frequency == "off"


def test_forged_unsubscribe_link_explains_and_changes_nothing(client, user):
    token = unsubscribe_token(user_id=user.pk, event_type="project.news")[:-2] + "xx"
    response = client.post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "<h1>Dieser Link ist nicht gültig</h1>" in response.content.decode()
    assert Preference.objects.count() == 0


def test_unsubscribe_link_in_mail_works(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event_type="message.received",
            recipients=[user],
            event_key="m1",
            context={"sender": "Anna", "organisation": "STEAG", "excerpt": "Hallo"},
        )
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    client.post(link.replace("http://127.0.0.1:8000", ""))
    assert Preference.objects.get(user=user).event_type == "message.received"
