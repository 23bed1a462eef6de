"""The bar of campaigns' five parts on every staff page of the app: organisers see all of
them, field workers (楼栋长、网格员) the field work of each."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.permissions import Perm, scope_paths

register = template.Library()

# label, url for organisers, url for field workers (None: organisers only), page prefixes
TOPICS = [
    (_("最美评选"), "campaigns_staff:list", None, ()),
    (_("十星级文明户"), "campaigns_staff:stars_buildings", "campaigns_staff:stars_buildings",
     ("campaigns_staff:stars_",)),
    (_("门前三包"), "campaigns_staff:shops_list", "campaigns:shops_field",
     ("campaigns_staff:shops_", "campaigns:shops_")),
    (_("网格合伙人"), "campaigns_staff:partners", "campaigns_staff:partners",
     ("campaigns_staff:partners",)),
    (_("居民公约"), "campaigns_staff:conventions_list", "campaigns_staff:conventions_chase",
     ("campaigns_staff:conventions_",)),
]
SELECTION_PAGES = ("campaigns_staff:list", "campaigns_staff:create",
                   "campaigns_staff:selection", "campaigns_staff:nominate")


def topics_for(user, current: str) -> list[dict]:
    organiser = user.is_superuser or bool(scope_paths(user, Perm.RUN_CAMPAIGNS))
    field = organiser or bool(scope_paths(user, Perm.INSPECT))
    items = []
    for label, organiser_url, field_url, prefixes in TOPICS:
        name = organiser_url if organiser else field_url
        if name is None or not field:
            continue
        active = (current in SELECTION_PAGES if not prefixes
                  else any(current.startswith(p) for p in prefixes))
        items.append({"label": label, "url": reverse(name), "active": active})
    return items


@register.inclusion_tag("campaigns/staff/_topics.html", takes_context=True)
def campaign_topics(context) -> dict:
    request = context["request"]
    current = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    return {"topics": topics_for(request.user, current)}


def first_topic_url(user) -> str | None:
    """Where 文明创建 in the console menu leads this user."""
    topics = topics_for(user, "")
    return topics[0]["url"] if topics else None
