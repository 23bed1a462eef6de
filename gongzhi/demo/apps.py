from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo street and the city-scale generator (no models of its own)."""

    name = "gongzhi.demo"
    label = "demo"
