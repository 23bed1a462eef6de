"""Deliberation in the admin: read-only, scoped to the areas the user runs councils for.

Councils, meetings, polls and resolutions change only through the actions on the console
pages (each with its audit event). Ballots are not shown at all: a secret ballot's choice
must not be readable by anyone, the admin included.
"""

from django.contrib import admin

from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.deliberation.models import (
    Consultation,
    Contest,
    Council,
    CouncilMember,
    Meeting,
    Poll,
    Resolution,
    Topic,
)


class ScopedAdmin(ReadOnlyAdmin):
    scope_field = "area_path"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.RUN_COUNCILS, self.scope_field))


class MemberInline(admin.TabularInline):
    model = CouncilMember
    fields = ["name", "capacity", "user", "organisation", "joined_on", "left_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Council)
class CouncilAdmin(ScopedAdmin):
    list_display = ["name", "kind", "area", "support_threshold", "term_start", "term_end",
                    "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["area"]
    inlines = [MemberInline]


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    list_display = ["title", "council", "source", "status", "created_at", "decided_at"]
    list_filter = ["source", "status"]
    search_fields = ["title"]
    list_select_related = ["council"]
    date_hierarchy = "created_at"


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    scope_field = "council__area_path"
    list_display = ["title", "council", "starts_at", "place", "status", "recurring_monthly"]
    list_filter = ["status", "recurring_monthly"]
    search_fields = ["title", "place"]
    list_select_related = ["council"]
    date_hierarchy = "starts_at"
    exclude = ["checkin_token"]


@admin.register(Poll)
class PollAdmin(ScopedAdmin):
    list_display = ["title", "area", "electorate", "rule", "matter", "secret", "status",
                    "opens_at", "closes_at"]
    list_filter = ["status", "electorate", "rule", "secret"]
    search_fields = ["title"]
    list_select_related = ["area"]
    date_hierarchy = "opens_at"


@admin.register(Consultation)
class ConsultationAdmin(ScopedAdmin):
    list_display = ["title", "area", "unit", "matter", "status", "opens_at", "closes_at"]
    list_filter = ["status", "matter"]
    search_fields = ["title"]
    list_select_related = ["area"]


@admin.register(Resolution)
class ResolutionAdmin(ScopedAdmin):
    list_display = ["title", "area", "status", "created_at", "decided_at", "carried_out_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    list_select_related = ["area"]


@admin.register(Contest)
class ContestAdmin(ScopedAdmin):
    list_display = ["title", "council", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    list_select_related = ["council"]
