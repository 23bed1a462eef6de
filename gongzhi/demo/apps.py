from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo street and the city-scale generator (no models of its own)."""

    name = "gongzhi.demo"
    label = "demo"
    verbose_name = _("演示数据")

    def ready(self) -> None:
        from gongzhi.core.events import register_event_labels, register_field_labels
        from gongzhi.demo import events

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)
