from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("问题台账")

    def ready(self) -> None:
        from gongzhi.cases import panels
        from gongzhi.core.views import register_home_panel

        register_home_panel("cases.work", "cases/panels/work.html", panels.work_panel)
        register_home_panel("cases.resident", "cases/panels/resident.html",
                            panels.resident_panel)
