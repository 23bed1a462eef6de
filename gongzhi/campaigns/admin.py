"""Campaigns in the admin: read-only, scoped to the areas whose campaigns the user runs.

Selections, nominations and votes change only through the actions on the pages, each
with its audit event.
"""

from django.contrib import admin

from gongzhi.campaigns.models import Nomination, Selection
from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.core.permissions import Perm, scope_q


class ScopedAdmin(ReadOnlyAdmin):
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.RUN_CAMPAIGNS, "area_path"))


@admin.register(Selection)
class SelectionAdmin(ScopedAdmin):
    list_display = ["title", "area", "year", "stage", "voting_closes"]
    list_filter = ["stage", "year"]
    search_fields = ["title"]


@admin.register(Nomination)
class NominationAdmin(ScopedAdmin):
    list_display = ["nominee", "category", "area", "source", "status", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["nominee"]
