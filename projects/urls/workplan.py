from django.urls import path

from projects.views import workplan as views

app_name = "workplan"
urlpatterns = [
    path("projects/<slug:slug>/workplan/", views.overview, name="overview"),
    path(
        "projects/<slug:slug>/workplan/packages/new/",
        views.work_package_new,
        name="work_package_new",
    ),
    path(
        "projects/<slug:slug>/workplan/packages/<int:pk>/edit/",
        views.work_package_edit,
        name="work_package_edit",
    ),
    path(
        "projects/<slug:slug>/workplan/packages/<int:pk>/delete/",
        views.work_package_remove,
        name="work_package_delete",
    ),
    path(
        "projects/<slug:slug>/workplan/milestones/new/",
        views.milestone_new,
        name="milestone_new",
    ),
    path(
        "projects/<slug:slug>/workplan/milestones/<int:pk>/edit/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "projects/<slug:slug>/workplan/milestones/<int:pk>/delete/",
        views.milestone_remove,
        name="milestone_delete",
    ),
    path("projects/<slug:slug>/milestones.ics", views.calendar, name="calendar"),
    path("projects/<slug:slug>/news/", views.news_index, name="news_list"),
    path("projects/<slug:slug>/news/new/", views.news_new, name="news_new"),
    path("projects/<slug:slug>/news/<int:pk>/", views.news_detail, name="news_detail"),
    path("projects/<slug:slug>/news/<int:pk>/edit/", views.news_edit, name="news_edit"),
    path("projects/<slug:slug>/news/<int:pk>/delete/", views.news_remove, name="news_delete"),
    path("projects/<slug:slug>/documents/", views.document_index, name="document_list"),
    path("projects/<slug:slug>/documents/new/", views.document_new, name="document_new"),
    path("projects/<slug:slug>/documents/<int:pk>/", views.document_detail, name="document_detail"),
    path(
        "projects/<slug:slug>/documents/<int:pk>/edit/",
        views.document_edit,
        name="document_edit",
    ),
    path(
        "projects/<slug:slug>/documents/<int:pk>/delete/",
        views.document_remove,
        name="document_delete",
    ),
    path(
        "projects/<slug:slug>/documents/<int:pk>/versions/new/",
        views.document_version_new,
        name="document_version_new",
    ),
    path(
        "projects/<slug:slug>/documents/<int:pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path(
        "projects/<slug:slug>/documents/<int:pk>/versions/<int:number>/download/",
        views.document_download,
        name="document_version_download",
    ),
]
