from django.urls import path

from projects.views import projects as views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/mine/", views.project_mine, name="mine"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
    path("projects/<slug:slug>/edit/", views.project_edit, name="edit"),
    path("projects/<slug:slug>/join/", views.participation_request_create, name="request"),
    path("projects/<slug:slug>/consortium/", views.consortium, name="consortium"),
    path(
        "projects/<slug:slug>/consortium/<int:pk>/",
        views.participation_edit,
        name="participation_edit",
    ),
    path(
        "projects/<slug:slug>/consortium/<int:pk>/remove/",
        views.participation_remove,
        name="participation_remove",
    ),
    path(
        "projects/<slug:slug>/consortium/<int:pk>/coordinator/",
        views.participation_make_coordinator,
        name="participation_make_coordinator",
    ),
    path(
        "projects/<slug:slug>/requests/<int:pk>/accept/",
        views.participation_request_accept,
        name="request_accept",
    ),
    path(
        "projects/<slug:slug>/requests/<int:pk>/decline/",
        views.participation_request_decline,
        name="request_decline",
    ),
    path("projects/<slug:slug>/team/", views.team, name="team"),
    path("projects/<slug:slug>/team/<int:pk>/role/", views.team_member_role, name="team_role"),
    path(
        "projects/<slug:slug>/team/<int:pk>/remove/",
        views.team_member_remove,
        name="team_remove",
    ),
]
