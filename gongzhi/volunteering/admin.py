"""Volunteering in the admin: read-only, scoped to the areas the user manages volunteering for.

Volunteers, orders, activities, rosters and the catalogue change only through the actions
on the console pages (each with its audit event); the three ledgers (hours, time bank,
points) are append-only and are never editable anywhere. The points rules are the one
thing administrators set here, and the save goes through ``bank.save_points_rule``.
Coupon codes are not shown: only the holder and the shop may read a code.
"""

from django.contrib import admin

from gongzhi.core.admin import GongzhiAdmin, ReadOnlyAdmin
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.volunteering.actions.bank import save_points_rule
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    Coupon,
    HoursEntry,
    OrderEvent,
    PointsEntry,
    PointsRule,
    Redemption,
    Reward,
    ServiceItem,
    ServiceOrder,
    Shift,
    ShiftTemplate,
    TimeBankEntry,
    Volunteer,
)


class ScopedAdmin(ReadOnlyAdmin):
    scope_field = "area_path"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.MANAGE_VOLUNTEERS, self.scope_field))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "kind", "actor", "note"]


class SignupInline(ReadOnlyInline):
    model = ActivitySignup
    fields = ["volunteer", "status", "created_at", "checked_in_at", "checked_out_at"]


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    list_display = ["user", "area", "skills", "is_party_member", "status", "registered_at"]
    list_filter = ["status", "is_party_member"]
    search_fields = ["user__username", "user__full_name", "skills"]
    list_select_related = ["user", "area"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedAdmin):
    list_display = ["name", "library", "area", "team", "usual_hours", "is_active"]
    list_filter = ["library", "is_active"]
    search_fields = ["name"]
    list_select_related = ["area", "team"]


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ScopedAdmin):
    list_display = ["title", "kind", "status", "area", "requester", "team", "volunteer",
                    "created_at", "take_by"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    list_select_related = ["area", "requester", "team", "volunteer__user"]
    date_hierarchy = "created_at"
    inlines = [OrderEventInline]


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["title", "area", "team", "starts_at", "capacity", "hours", "status"]
    list_filter = ["status"]
    search_fields = ["title", "place"]
    list_select_related = ["area", "team"]
    date_hierarchy = "starts_at"
    exclude = ["checkin_token"]
    inlines = [SignupInline]


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(ScopedAdmin):
    list_display = ["title", "area", "team", "place", "weekdays", "start_time", "hours",
                    "slots", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "place"]
    list_select_related = ["area", "team"]


@admin.register(Shift)
class ShiftAdmin(ScopedAdmin):
    scope_field = "template__area_path"
    list_display = ["template", "starts_at", "ends_at", "slots", "confirmed_at"]
    list_select_related = ["template"]
    date_hierarchy = "starts_at"


@admin.register(HoursEntry)
class HoursEntryAdmin(ScopedAdmin):
    scope_field = "volunteer__area_path"
    list_display = ["volunteer", "hours", "source", "source_key", "served_on", "credited_by"]
    list_filter = ["source"]
    list_select_related = ["volunteer__user", "credited_by"]
    date_hierarchy = "served_on"


class HolderScopedAdmin(ScopedAdmin):
    """Ledgers held by users: those who live or serve in the staff member's area."""

    def get_queryset(self, request):
        qs = ReadOnlyAdmin.get_queryset(self, request)
        scope = (scope_q(request.user, Perm.MANAGE_VOLUNTEERS,
                         "holder__resident__household__area_path")
                 | scope_q(request.user, Perm.MANAGE_VOLUNTEERS, "holder__volunteer__area_path"))
        return qs.filter(scope).distinct()


@admin.register(TimeBankEntry)
class TimeBankEntryAdmin(HolderScopedAdmin):
    list_display = ["holder", "units", "kind", "counterpart", "note", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["holder", "counterpart"]
    date_hierarchy = "created_at"


@admin.register(PointsEntry)
class PointsEntryAdmin(HolderScopedAdmin):
    list_display = ["holder", "points", "reason", "note", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["holder"]
    date_hierarchy = "created_at"


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    list_display = ["name", "area", "points", "stock", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    list_select_related = ["area"]


@admin.register(Redemption)
class RedemptionAdmin(ScopedAdmin):
    scope_field = "reward__area_path"
    list_display = ["reward", "holder", "points", "created_at", "handed_over_at"]
    list_select_related = ["reward", "holder"]


@admin.register(Coupon)
class CouponAdmin(ScopedAdmin):
    list_display = ["title", "merchant", "area", "points", "stock", "valid_until", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "merchant__name"]
    list_select_related = ["merchant", "area"]


@admin.register(PointsRule)
class PointsRuleAdmin(GongzhiAdmin):
    """Administrators set the points a deed earns; the save is the action's (its checks,
    its audit event)."""

    list_display = ["code", "points", "is_active"]
    fields = ["code", "points", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # set 0 or inactive instead: the rule stays on record

    def save_model(self, request, obj, form, change):
        saved = save_points_rule(code=obj.code, points=obj.points, is_active=obj.is_active,
                                 acting_user=request.user)
        obj.pk, obj._state.adding = saved.pk, False
