from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalConfig(AppConfig):
    name = "gongzhi.renewal"
    label = "renewal"
    verbose_name = _("老旧小区改造")

    def ready(self) -> None:
        from gongzhi.core.events import register_event_labels, register_field_labels
        from gongzhi.renewal import events

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)

        from gongzhi.core.context_processors import register_resident_entry
        from gongzhi.core.views import register_home_panel
        from gongzhi.notices.subjects import register_subject
        from gongzhi.renewal import panels

        register_home_panel("renewal.resident", "renewal/resident/panel.html",
                            panels.resident_panel)

        # The funding notice (资金公开) of an accepted project links back to the project.
        register_subject("renewal.project", _("查看改造项目的内容、进度和资金"),
                         lambda pk: f"/renewal/projects/{pk}/")
        # The residents' menu: only for those who have a renovation to follow (one query).
        register_resident_entry("renewal", _("小区改造"), 50, panels.nav_url,
                                lights=("renewal:",))
