from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "gongzhi.campaigns"
    label = "campaigns"
    verbose_name = _("文明创建")

    def ready(self) -> None:
        from gongzhi.areas.columns import register_household_column
        from gongzhi.campaigns import (
            events,
            panels,
            panels_shops,
        )
        from gongzhi.campaigns.selectors_partners import grid_partner_users, is_grid_partner
        from gongzhi.campaigns.selectors_stars import latest_stars
        from gongzhi.cases.permissions import register_assignees
        from gongzhi.core.context_processors import register_resident_entry
        from gongzhi.core.events import register_event_labels, register_field_labels
        from gongzhi.core.views import register_home_panel
        from gongzhi.notices.subjects import register_subject

        # What the audit log calls this app's events and the keys they write.
        register_event_labels(events.EVENT_LABELS)
        register_field_labels(self.label, events.FIELD_LABELS)
        # The results notice of a selection links back to its page.
        register_subject("campaigns.selection", _("查看评选的推荐和得票"),
                         lambda pk: f"/campaigns/{pk}/")
        register_subject("campaigns.convention", _("阅读公约并签署"),
                         lambda pk: f"/campaigns/conventions/{pk}/")
        register_home_panel("campaigns.resident", "campaigns/resident/panel.html",
                            panels.resident_panel)
        # Grid workers' and shop members' way to their shops (门前三包).
        register_home_panel("campaigns.shops", "campaigns/shops_panel.html",
                            panels_shops.shops_panel)
        # The residents' menu: 文明创建, for those with something of it near them (one query).
        register_resident_entry("campaigns", _("文明创建"), 45, panels.nav_url,
                                lights=("campaigns:",))
        # The household table of the area pages shows each household's latest stars.
        register_household_column("campaigns.stars", _("文明户"),
                                  "campaigns/staff/stars/_record.html", latest_stars)
        # Cases of a grid may be dispatched to its accepted 网格合伙人.
        register_assignees(is_grid_partner, grid_partner_users)
