"""Who handles a case by default: the routing rule of the deepest area that has one."""

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.cases.models import Category, RoutingRule
from gongzhi.core.tree import ancestor_paths


def responsible_org(area: AreaNode, category: Category) -> Organisation | None:
    """The organisation of the rule for ``category`` (else its group) at the deepest area from
    ``area`` up to the root; a rule for the category itself wins over its group's at any depth.
    """
    if area is None or category is None:
        return None
    wanted = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = (RoutingRule.objects.filter(area__path__in=ancestor_paths(area.path),
                                        category_id__in=wanted)
             .select_related("organisation", "area"))
    best = max(rules, default=None,
               key=lambda r: (r.category_id == category.pk, len(r.area.path)))
    return best.organisation if best else None
