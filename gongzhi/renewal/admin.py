"""Renewal in the admin: read-only and scoped to the areas the user manages renovation for.

Records, projects, items, surveys and the money change only through the actions on the
console pages, each with its audit event; payments and sign-offs are never editable.
"""

from django.contrib import admin

from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.renewal.models import (
    Batch,
    CompoundRecord,
    FundingSource,
    Inspection,
    Payment,
    Project,
    Survey,
    WorkItem,
)


class ScopedAdmin(ReadOnlyAdmin):
    scope_field = "area_path"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.MANAGE_RENEWAL, self.scope_field))


@admin.register(CompoundRecord)
class CompoundRecordAdmin(ScopedAdmin):
    list_display = ["compound", "built_year", "floor_area", "management", "manager"]
    list_filter = ["management"]
    search_fields = ["compound__name", "compound__code"]


@admin.register(Batch)
class BatchAdmin(ScopedAdmin):
    list_display = ["name", "year", "area"]
    list_filter = ["year"]


class ItemInline(admin.TabularInline):
    model = WorkItem
    fields = ["category", "name", "quantity", "unit", "budget", "contractor", "status",
              "progress"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["name", "area", "batch", "stage", "plan_status", "planned_start",
                    "accepted_at"]
    list_filter = ["stage", "plan_status", "batch__year"]
    search_fields = ["name"]
    inlines = [ItemInline]


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    list_display = ["title", "project", "status", "closes_at"]
    list_filter = ["status"]


@admin.register(FundingSource)
class FundingSourceAdmin(ScopedAdmin):
    scope_field = "project__area_path"
    list_display = ["project", "kind", "amount"]
    list_filter = ["kind"]


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    scope_field = "item__area_path"
    list_display = ["item", "source", "amount", "paid_on"]


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    scope_field = "project__area_path"
    list_display = ["project", "item", "inspector", "inspected_at", "case"]
