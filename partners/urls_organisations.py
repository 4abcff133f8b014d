from django.urls import path

from partners.views import organisations as views

app_name = "organisations"
urlpatterns = [
    path("organisations/", views.directory, name="directory"),
]
