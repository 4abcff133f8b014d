from django.urls import path  # noqa: F401 - patterns added by the work-plan part

app_name = "workplan"
urlpatterns: list = []
