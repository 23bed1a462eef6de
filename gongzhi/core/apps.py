from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from gongzhi.core import events

        # What the audit log calls core's own events (each app registers its own the same way).
        events.register_event_labels(events.EVENT_LABELS)
        events.register_field_labels(self.label, events.FIELD_LABELS)
