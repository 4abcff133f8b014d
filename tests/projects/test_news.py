"""Project news: who sees which posts, who writes them, sanitised Markdown, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import NewsPost, Project
from spinportal.models import AuditRecord
from tests.projects.factories_workplan import (
    NewsPostFactory,
    as_actor_factory,
    make_cast,
    make_project,
    statuses,
)

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "workplan:news_list",
    "workplan:news_detail",
    "workplan:news_new",
    "workplan:news_edit",
    "workplan:news_delete",
]


@pytest.fixture
def project(db):
    return make_project(acronym="NEWS", slug="news-project")


@pytest.fixture
def cast(project, organisation, org_member, other_partner, staff):
    return make_cast(project, organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(client, cast):
    return as_actor_factory(client, cast)


@pytest.fixture
def public_post(project):
    return NewsPostFactory(project=project, title="Kick-off held", is_public=True)


@pytest.fixture
def internal_post(project):
    return NewsPostFactory(project=project, title="Budget shift", is_public=False)


def url(name, project, **kwargs):
    return reverse(f"workplan:{name}", kwargs={"slug": project.slug, **kwargs})


@pytest.mark.django_db
def test_news_list_shows_each_actor_what_they_may_see(
    as_actor, project, public_post, internal_post
):
    # a post with a future publication date is only shown to the people who may edit it
    NewsPostFactory(
        project=project,
        title="Embargoed",
        is_public=True,
        published_at=timezone.now() + dt.timedelta(days=3),
    )
    seen = {}
    for actor in ["anonymous", "other_partner", "member", "lead", "staff"]:
        response = as_actor(actor).get(url("news_list", project))
        assert response.status_code == 200
        seen[actor] = [post.title for post in response.context["news_posts"]]
    assert seen == {
        "anonymous": ["Kick-off held"],
        "other_partner": ["Kick-off held"],
        "member": ["Budget shift", "Kick-off held"],
        "lead": ["Embargoed", "Budget shift", "Kick-off held"],
        "staff": ["Embargoed", "Budget shift", "Kick-off held"],
    }


@pytest.mark.django_db
def test_news_detail_matrix(as_actor, project, public_post, internal_post):
    assert statuses(as_actor, "get", url("news_detail", project, pk=public_post.pk)) == [200] * 5
    assert statuses(as_actor, "get", url("news_detail", project, pk=internal_post.pk)) == [
        404,
        404,
        200,
        200,
        200,
    ]


@pytest.mark.django_db
def test_news_of_consortium_project_hidden_from_outsiders(as_actor, project, public_post):
    Project.objects.filter(pk=project.pk).update(visibility=Project.Visibility.CONSORTIUM)
    expected = [404, 404, 200, 200, 200]
    assert statuses(as_actor, "get", url("news_list", project)) == expected
    assert statuses(as_actor, "get", url("news_detail", project, pk=public_post.pk)) == expected


@pytest.mark.django_db
def test_news_pages_for_writing_matrix(as_actor, project, public_post, internal_post):
    assert statuses(as_actor, "get", url("news_new", project)) == [302, 403, 403, 200, 200]
    assert statuses(as_actor, "get", url("news_edit", project, pk=public_post.pk)) == [
        302,
        403,
        403,
        200,
        200,
    ]
    assert statuses(as_actor, "get", url("news_edit", project, pk=internal_post.pk)) == [
        302,
        404,
        403,
        200,
        200,
    ]
    assert statuses(as_actor, "get", url("news_delete", project, pk=internal_post.pk)) == [
        302,
        404,
        403,
        200,
        200,
    ]


def post_data(**fields):
    return {
        "title": "Prototype runs",
        "text": "The **prototype** runs. <script>alert(1)</script>",
        "published_at": "2026-03-02T10:30",
        "is_public": "on",
        **fields,
    }


@pytest.mark.django_db
def test_denied_writes_change_nothing(as_actor, project, public_post):
    actors = ["anonymous", "other_partner", "member"]
    assert statuses(as_actor, "post", url("news_new", project), post_data(), actors=actors) == [
        302,
        403,
        403,
    ]
    edit = url("news_edit", project, pk=public_post.pk)
    assert statuses(as_actor, "post", edit, post_data(), actors=actors) == [302, 403, 403]
    delete = url("news_delete", project, pk=public_post.pk)
    assert statuses(as_actor, "post", delete, actors=actors) == [302, 403, 403]
    assert list(NewsPost.objects.values_list("title", flat=True)) == ["Kick-off held"]
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_lead_publishes_news_rendered_sanitised(as_actor, cast, project):
    client = as_actor("lead")
    # when the lead publishes a post with a script in its Markdown
    response = client.post(url("news_new", project), post_data())
    assert response.status_code == 302
    post = NewsPost.objects.get()
    expected_time = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC) - dt.timedelta(hours=1)
    assert (post.title, post.is_public, post.author, post.published_at) == (
        "Prototype runs",
        True,
        cast["lead"],
        expected_time,  # entered in Europe/Berlin (CET, UTC+1)
    )
    assert AuditRecord.objects.get().action == "news.created"
    # then anonymous visitors see it, with the Markdown rendered and the script removed
    page = as_actor("anonymous").get(url("news_detail", project, pk=post.pk))
    html = page.content.decode()
    assert "<strong>prototype</strong>" in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.django_db
def test_news_validation_names_the_field(as_actor, project):
    response = as_actor("lead").post(url("news_new", project), post_data(title="", published_at=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["This field is required."],
        "published_at": ["This field is required."],
    }
    assert NewsPost.objects.count() == 0


@pytest.mark.django_db
def test_lead_edits_and_deletes_news(as_actor, project, internal_post):
    client = as_actor("lead")
    response = client.post(url("news_edit", project, pk=internal_post.pk), post_data())
    assert response.status_code == 302
    internal_post.refresh_from_db()
    assert (internal_post.title, internal_post.is_public) == ("Prototype runs", True)
    response = client.post(url("news_delete", project, pk=internal_post.pk))
    assert response.status_code == 302
    assert NewsPost.objects.count() == 0
    assert list(AuditRecord.objects.order_by("id").values_list("action", flat=True)) == [
        "news.updated",
        "news.deleted",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize(("actor", "queries"), [("anonymous", 2), ("member", 6)])
def test_news_list_query_count_is_constant(
    as_actor, project, django_assert_num_queries, count, actor, queries
):
    NewsPost.objects.bulk_create(
        NewsPost(
            project=project,
            title=f"Post {number}",
            text="Text",
            published_at=timezone.now() - dt.timedelta(hours=number + 1),
            is_public=number % 2 == 0,
        )
        for number in range(count)
    )
    client = as_actor(actor)
    # anonymous: project, posts; member: + session, user, organisations, participations,
    # team roles (cached on the user for every later predicate)
    with django_assert_num_queries(queries):
        response = client.get(url("news_list", project))
    assert response.status_code == 200
