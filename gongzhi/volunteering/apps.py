from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from gongzhi.core.sweeps import register_sweep
        from gongzhi.volunteering.actions.orders import flag_stale_orders

        # Orders nobody took in time are flagged to staff on the worker's scan.
        register_sweep("stale_orders", lambda: flag_stale_orders())
