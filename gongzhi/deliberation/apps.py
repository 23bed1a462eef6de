from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from gongzhi.core.views import register_home_panel
        from gongzhi.deliberation import panels
        from gongzhi.notices.subjects import register_subject

        register_home_panel("deliberation.resident", "deliberation/resident/panel.html",
                            panels.resident_panel)
        # A resolution's public notice links back to the resolution and its count.
        register_subject("deliberation.resolution", _("查看决议的审批过程和表决结果"),
                         lambda pk: f"/deliberation/resolutions/{pk}/")
