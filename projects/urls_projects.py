from django.urls import path

from projects.views import projects as views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="list"),
]
