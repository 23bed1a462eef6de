from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("问题台账")

    def ready(self) -> None:
        from gongzhi.cases import events
        from gongzhi.core.events import register_event_labels, register_field_labels

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)

        from django.urls import reverse

        from gongzhi.cases import panels
        from gongzhi.core.context_processors import register_resident_entry
        from gongzhi.core.views import register_home_panel

        register_home_panel("cases.work", "cases/panels/work.html", panels.work_panel)
        register_home_panel("cases.resident", "cases/panels/resident.html",
                            panels.resident_panel)
        # The residents' menu on every page: report a problem at home, follow my cases.
        register_resident_entry("cases.report", _("我要报事"), 10, panels.report_url,
                                lights=("cases_resident:report", "report_landing_short"),
                                primary=True)
        register_resident_entry("cases.mine", _("我的诉求"), 20,
                                lambda request: reverse("cases_resident:mine"),
                                lights=("cases_resident:",))
