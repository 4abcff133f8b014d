from django.urls import path

from partners.views import people as views

app_name = "people"
urlpatterns = [
    path("people/", views.directory, name="directory"),
]
