"""Admin for the case ledger's configuration; cases themselves are read-only here.

Categories and routing rules are configuration data that administrators edit; saves go
through the actions (same checks, one audit event). Cases and their events change only
through the closed-loop actions on the staff pages, so the admin shows them read-only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.actions import delete_routing_rule, save_category, save_routing_rule
from gongzhi.cases.models import Case, CaseEvent, Category, RoutingRule
from gongzhi.core.admin import GongzhiAdmin, ReadOnlyAdmin
from gongzhi.core.permissions import Perm, scope_q


def _mark_saved(obj, saved) -> None:
    obj.pk, obj._state.adding = saved.pk, False


class ChildCategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ["code", "name", "response_hours", "resolution_workdays", "is_active"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # children are added on their own page, through the action

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(GongzhiAdmin):
    list_display = ["name", "code", "parent", "response_hours", "resolution_workdays",
                    "urgent_response_hours", "urgent_resolution_workdays", "order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["parent"]
    ordering = ["parent__order", "order", "code"]
    fields = ["parent", "code", "name", "response_hours", "resolution_workdays",
              "urgent_response_hours", "urgent_resolution_workdays", "keywords", "order",
              "is_active"]
    inlines = [ChildCategoryInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":  # two levels: only groups can be parents
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # cases point at categories: deactivate instead

    def save_model(self, request, obj, form, change):
        _mark_saved(obj, save_category(category=obj, acting_user=request.user))


@admin.register(RoutingRule)
class RoutingRuleAdmin(GongzhiAdmin):
    list_display = ["area", "category", "organisation"]
    list_filter = ["category"]
    search_fields = ["area__name", "area__code", "category__name", "organisation__name"]
    list_select_related = ["area", "category", "organisation"]
    autocomplete_fields = ["area", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.CONFIGURE_CASES, "area__path"))

    def save_model(self, request, obj, form, change):
        if change:
            # A rule moved to another area or category is a new rule: drop the old one.
            old = RoutingRule.objects.get(pk=obj.pk)
            if (old.area_id, old.category_id) != (obj.area_id, obj.category_id):
                delete_routing_rule(rule=old, acting_user=request.user)
        rule = save_routing_rule(area=obj.area, category=obj.category,
                                 organisation=obj.organisation, acting_user=request.user)
        _mark_saved(obj, rule)

    def delete_model(self, request, obj):
        delete_routing_rule(rule=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset.select_related("area"):
            delete_routing_rule(rule=rule, acting_user=request.user)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "note", "is_internal"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "category", "source", "handling_area",
                    "assignee_org", "created_at", "resolution_due"]
    list_filter = ["status", "source", "priority", "category"]
    search_fields = ["title", "idempotency_key"]
    list_select_related = ["category", "handling_area", "assignee_org"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [CaseEventInline]
    # Reporters' phone numbers stay out of the admin list; the case page masks them.
    exclude = ["reporter_phone"]

    @admin.display(description=_("受理编号"))
    def reference(self, obj: Case) -> str:
        return obj.reference

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.VIEW_CASES, "area_path"))


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "kind", "actor", "from_status", "to_status"]
    list_filter = ["kind"]
    list_select_related = ["case", "actor"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.VIEW_CASES, "case__area_path"))
