from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from gongzhi.core.events import register_event_labels, register_field_labels
        from gongzhi.volunteering import events

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)

        from django.urls import reverse

        from gongzhi.core.context_processors import register_resident_entry
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
        # The residents' menu on every page: order a service, sign up, my hours.
        register_resident_entry("volunteering", _("志愿服务"), 40,
                                lambda request: reverse("volunteering:home"),
                                lights=("volunteering:",))
