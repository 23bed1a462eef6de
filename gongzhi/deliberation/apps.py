from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from gongzhi.core.events import register_event_labels, register_field_labels
        from gongzhi.deliberation import events

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)

        from django.urls import reverse

        from gongzhi.core.context_processors import register_resident_entry
        from gongzhi.core.views import register_home_panel
        from gongzhi.deliberation import panels
        from gongzhi.notices.subjects import register_subject

        register_home_panel("deliberation.resident", "deliberation/resident/panel.html",
                            panels.resident_panel)
        # A resolution's public notice links back to the resolution and its count.
        register_subject("deliberation.resolution", _("查看决议的审批过程和表决结果"),
                         lambda pk: f"/deliberation/resolutions/{pk}/")
        # The residents' menu on every page: proposals, votes and consultations near home.
        register_resident_entry("deliberation", _("议事表决"), 30,
                                lambda request: reverse("deliberation:home"),
                                lights=("deliberation:",))
