"""Admin for core records, and the base every gongzhi admin class builds on.

The admin is a tool for administrators (superusers or holders of the admin role at a root
of the area tree). Saves go through the actions, so the same checks and the same audit
event apply as everywhere else; records without an action are read-only here.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from gongzhi.core.actions import remove_workday_override, set_workday_override
from gongzhi.core.models import AuditEvent, Notification, WorkdayOverride
from gongzhi.core.permissions import Perm, is_administrator, scope_q


def error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


class GongzhiAdmin(admin.ModelAdmin):
    """Open to administrators only; an action's ValidationError becomes a message, not a 500."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form checks what it can; anything the action still refuses (a race, a rule
        # the form does not know) was rolled back by the admin's transaction.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(GongzhiAdmin):
    """For records only actions write (or nothing may change): view, never add/change/delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(GongzhiAdmin):
    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    search_fields = ["note"]

    def get_readonly_fields(self, request, obj=None):
        # Moving an override to another day is a removal plus a new override.
        return ["day"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = set_workday_override(
            day=obj.day, is_workday=obj.is_workday, note=obj.note, acting_user=request.user
        )
        obj.pk, obj._state.adding = saved.pk, False

    def delete_model(self, request, obj):
        remove_workday_override(day=obj.day, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            remove_workday_override(day=override.day, acting_user=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_repr", "ip",
                    "outcome"]
    list_filter = ["outcome", "object_type"]
    search_fields = ["action", "object_id", "object_repr", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    show_full_result_count = False  # no full count of a table with millions of rows

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.VIEW_AUDIT, "area_path")
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "is_read"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    show_full_result_count = False

    @admin.display(boolean=True, description=_("已读"))
    def is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None
