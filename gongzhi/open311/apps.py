from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 at /open311/v2/: services are categories, requests are cases."""

    name = "gongzhi.open311"
    label = "open311"
    verbose_name = "Open311"

    def ready(self) -> None:
        from gongzhi.core.events import register_event_labels, register_field_labels
        from gongzhi.open311 import events

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)
