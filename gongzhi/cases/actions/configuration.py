"""Configuration (administrators): categories and routing rules."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.cases.models import Category, RoutingRule
from gongzhi.core import audit
from gongzhi.core.permissions import Perm, require, require_administrator

CATEGORY_FIELDS = ["parent", "code", "name", "response_hours", "resolution_workdays",
                   "urgent_response_hours", "urgent_resolution_workdays", "keywords", "order",
                   "is_active"]


@transaction.atomic
def save_category(*, category: Category, acting_user) -> Category:
    """Create or change a category (two levels: group › category). Never deleted: deactivate."""
    if acting_user is not None:
        require_administrator(acting_user)
    parent = category.parent
    if parent is not None and (parent.parent_id is not None or parent.pk == category.pk):
        raise ValidationError({"parent": _("分类最多两级：上级分类必须是顶层分类")})
    if category.pk and parent is not None and category.children.exists():
        raise ValidationError({"parent": _("有下级分类的分类不能再设上级")})
    for field in ("response_hours", "resolution_workdays", "urgent_response_hours",
                  "urgent_resolution_workdays"):
        if not getattr(category, field):
            raise ValidationError({field: _("时限须大于 0")})
    if category.urgent_response_hours > category.response_hours or (
            category.urgent_resolution_workdays > category.resolution_workdays):
        raise ValidationError(_("紧急时限不能长于一般时限"))
    old = Category.objects.filter(pk=category.pk).first() if category.pk else None
    category.full_clean()
    category.save()
    audit.record(actor=acting_user,
                 action="cases.change_category" if old else "cases.create_category",
                 obj=category, area_path="",
                 before=audit.snapshot(old, CATEGORY_FIELDS) if old else None,
                 after=audit.snapshot(category, CATEGORY_FIELDS))
    return category


@transaction.atomic
def save_routing_rule(*, area: AreaNode, category: Category, organisation: Organisation,
                      acting_user) -> RoutingRule:
    """Area + category → the body that gets such cases by default (replaces an older rule)."""
    if acting_user is not None:
        require(acting_user, Perm.CONFIGURE_CASES, area)
    if not organisation.is_active:
        raise ValidationError({"organisation": _("该单位已停用")})
    rule = RoutingRule.objects.select_for_update().filter(area=area, category=category).first()
    before = {"organisation": rule.organisation_id} if rule else None
    if rule is None:
        rule = RoutingRule(area=area, category=category)
    rule.organisation = organisation
    rule.save()
    audit.record(actor=acting_user, action="cases.save_routing_rule", obj=rule,
                 area_path=area.path, before=before,
                 after={"area": area.pk, "category": category.pk,
                        "organisation": organisation.pk})
    return rule


@transaction.atomic
def delete_routing_rule(*, rule: RoutingRule, acting_user) -> None:
    if acting_user is not None:
        require(acting_user, Perm.CONFIGURE_CASES, rule.area)
    audit.record(actor=acting_user, action="cases.delete_routing_rule", obj=rule,
                 area_path=rule.area.path,
                 before={"area": rule.area_id, "category": rule.category_id,
                         "organisation": rule.organisation_id})
    rule.delete()
