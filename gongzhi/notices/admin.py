"""Admin for notices: read-only, because every change goes through the notice actions
(the same checks, the audit trail and the residents' notifications as on the staff pages)."""

from django.contrib import admin

from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.notices.models import Notice, Objection


class ObjectionInline(admin.TabularInline):
    model = Objection
    fields = ["created_at", "author", "status", "text", "answer", "answered_by", "answered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "area", "published_at", "period_ends_at",
                    "created_by"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "subject", "area__name", "area__code"]
    list_select_related = ["area", "created_by"]
    date_hierarchy = "published_at"
    show_full_result_count = False
    inlines = [ObjectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.PUBLISH_NOTICES, "area_path"))


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "notice", "author", "status", "answered_at"]
    list_filter = ["status"]
    search_fields = ["text", "answer", "notice__title"]
    list_select_related = ["notice", "author"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.PUBLISH_NOTICES, "notice__area_path"))
