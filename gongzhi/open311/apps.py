from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 at /open311/v2/: services are categories, requests are cases."""

    name = "gongzhi.open311"
    label = "open311"
    verbose_name = "Open311"
