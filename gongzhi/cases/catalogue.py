"""Loading the default category tree (gongzhi.cases.default_categories) into the database."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.default_categories import Spec, flatten
from gongzhi.cases.models import Category
from gongzhi.core import audit
from gongzhi.core.permissions import require_administrator

# What the defaults set; ``is_active`` is left alone: an administrator's retirement stands.
LOADED_FIELDS = ("parent_id", "name", "response_hours", "resolution_workdays",
                 "urgent_response_hours", "urgent_resolution_workdays", "keywords", "order")


def _values(spec: Spec, parent: Category | None, order: int) -> dict:
    limits = spec.limits
    return {
        "parent_id": parent.pk if parent else None, "name": spec.name,
        "response_hours": limits.response_hours,
        "resolution_workdays": limits.resolution_workdays,
        "urgent_response_hours": limits.urgent_response_hours,
        "urgent_resolution_workdays": limits.urgent_resolution_workdays,
        "keywords": spec.keywords, "order": order,
    }


@transaction.atomic
def load_default_categories(*, acting_user) -> tuple[int, int]:
    """Create missing default categories and bring existing ones (matched by code) up to date.

    Returns (created, updated); running it twice changes nothing the second time.
    """
    if acting_user is not None:
        require_administrator(acting_user)
    specs = flatten()
    existing = {c.code: c for c in Category.objects.select_for_update()
                .filter(code__in=[s.code for s, _group, _order in specs])}
    saved: dict[str, Category] = {}
    created, updated = [], []
    for spec, group, order in specs:  # groups come before their categories
        parent = saved[group.code] if group else None
        values = _values(spec, parent, order)
        category = existing.get(spec.code)
        if category is None:
            category = Category(code=spec.code, **values)
            category.full_clean()
            category.save()
            created.append(spec.code)
        elif any(getattr(category, k) != v for k, v in values.items()):
            if parent is not None and category.children.exists():
                raise ValidationError(
                    _("分类“%(code)s”已有下级分类，不能移到“%(group)s”之下")
                    % {"code": spec.code, "group": group.name})
            for key, value in values.items():
                setattr(category, key, value)
            category.full_clean()
            category.save(update_fields=[k.removesuffix("_id") for k in LOADED_FIELDS])
            updated.append(spec.code)
        saved[spec.code] = category
    root = saved[specs[0][0].code]
    audit.record(actor=acting_user, action="cases.load_categories", obj=root, area_path="",
                 after={"created": created, "updated": updated})
    return len(created), len(updated)
