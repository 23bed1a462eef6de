from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "gongzhi.notices"
    label = "notices"
    verbose_name = _("公示公告")

    def ready(self) -> None:
        from gongzhi.core.views import register_home_panel
        from gongzhi.notices import panels

        register_home_panel("notices.resident", "notices/panels/resident.html",
                            panels.resident_panel)
