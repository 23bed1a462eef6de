from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from gongzhi.core.views import register_home_panel
        from gongzhi.deliberation import panels

        register_home_panel("deliberation.resident", "deliberation/resident/panel.html",
                            panels.resident_panel)
