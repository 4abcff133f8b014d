from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and synthetic data (`manage.py seed_demo`), kept apart from the portal's code: it
    sits above every other app and nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
