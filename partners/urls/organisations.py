from django.urls import path

from partners.views import organisations as views

app_name = "organisations"
urlpatterns = [
    path("organisations/", views.directory, name="directory"),
    path("organisations/register/", views.register, name="register"),
    path("organisations/moderation/", views.moderation, name="moderation"),
    path("organisations/moderation/<slug:slug>/approve/", views.approve, name="approve"),
    path("organisations/moderation/<slug:slug>/reject/", views.reject, name="reject"),
    path("organisations/<slug:slug>/", views.detail, name="detail"),
    path("organisations/<slug:slug>/edit/", views.edit, name="edit"),
]
