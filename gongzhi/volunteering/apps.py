from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from gongzhi.core.sweeps import register_sweep
        from gongzhi.core.views import register_home_panel
        from gongzhi.volunteering import panels_me, panels_orders
        from gongzhi.volunteering.actions.orders import flag_stale_orders

        register_home_panel("volunteering.orders", "volunteering/orders/panel.html",
                            panels_orders.home_panel)
        register_home_panel("volunteering.me", "volunteering/me/panel.html",
                            panels_me.volunteer_panel)
        # Orders nobody took in time are flagged to staff on the worker's scan.
        register_sweep("stale_orders", lambda: flag_stale_orders())
