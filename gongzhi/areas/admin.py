"""Admin for the area tree, households and residents.

New nodes, households and residents are created through the actions (same checks, one
audit event). There is no action yet to edit or delete them, so existing rows are
read-only here, except a node's boundary, which ``set_boundary`` changes.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.areas import geo
from gongzhi.areas.actions import (
    ALLOWED_CHILDREN,
    add_resident,
    create_area,
    create_household,
    set_boundary,
)
from gongzhi.areas.models import AreaKind, AreaNode, Household, Resident
from gongzhi.core.admin import GongzhiAdmin
from gongzhi.core.permissions import Perm, scope_q

AREA_INPUT_FIELDS = ["kind", "code", "name", "parent", "boundary", "built_year", "floors",
                     "address"]
AREA_COMPUTED_FIELDS = ["path", "depth", "min_lng", "min_lat", "max_lng", "max_lat"]


def _mark_saved(obj, saved) -> None:
    """Point the admin's unsaved instance at the row the action created."""
    obj.pk, obj._state.adding = saved.pk, False


class AreaNodeForm(forms.ModelForm):
    class Meta:
        model = AreaNode
        fields = AREA_INPUT_FIELDS

    def clean(self):
        data = super().clean()
        kind, parent = data.get("kind"), data.get("parent")
        if self.instance.pk is None and kind:
            allowed = ALLOWED_CHILDREN[parent.kind if parent else None]
            if kind not in allowed:
                above = parent.get_kind_display() if parent else _("顶层")
                self.add_error("kind", _("%(parent)s下不能直接设立%(kind)s") % {
                    "parent": above, "kind": AreaKind(kind).label})
        boundary = data.get("boundary")
        if boundary is not None:
            try:
                geo.validate(boundary)
            except (geo.GeometryError, TypeError, IndexError, KeyError) as exc:
                self.add_error("boundary", _("边界不是有效的 GeoJSON 多边形：%s") % exc)
        return data


@admin.register(AreaNode)
class AreaNodeAdmin(GongzhiAdmin):
    form = AreaNodeForm
    list_display = ["path", "name", "kind", "code", "depth", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        return AREA_INPUT_FIELDS + (AREA_COMPUTED_FIELDS if obj is not None else [])

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for f in AREA_INPUT_FIELDS if f != "boundary"] + AREA_COMPUTED_FIELDS

    def has_delete_permission(self, request, obj=None):
        return False  # areas are never deleted: cases, votes and history point at them

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, Perm.VIEW_AREA))

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        # The household form's autocomplete offers buildings only.
        if request.GET.get("model_name") == "household":
            queryset = queryset.filter(kind=AreaKind.BUILDING)
        return queryset, distinct

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "boundary" in form.changed_data:
                set_boundary(node=obj, boundary=data["boundary"], acting_user=request.user)
            return
        extra = {k: data[k] for k in ("built_year", "floors", "address") if data.get(k)}
        node = create_area(
            kind=data["kind"], code=data["code"], name=data["name"], parent=data["parent"],
            boundary=data.get("boundary"), acting_user=request.user, **extra,
        )
        _mark_saved(obj, node)


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["building", "unit", "room", "floor", "floor_area", "tenure", "member_count"]

    def clean_building(self):
        building = self.cleaned_data["building"]
        if building.kind != AreaKind.BUILDING:
            raise ValidationError(_("住户只能登记在楼栋下"))
        return building


@admin.register(Household)
class HouseholdAdmin(GongzhiAdmin):
    form = HouseholdForm
    list_display = ["__str__", "building", "unit", "room", "floor", "floor_area", "tenure",
                    "member_count"]
    list_filter = ["tenure"]
    search_fields = ["building__code", "building__name", "room"]
    list_select_related = ["building"]
    autocomplete_fields = ["building"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # no action edits a household yet: view only

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.VIEW_HOUSEHOLDS, "area_path")
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        household = create_household(
            building=data["building"], unit=data["unit"], room=data["room"],
            floor=data["floor"], floor_area=data["floor_area"], tenure=data["tenure"],
            member_count=data["member_count"], acting_user=request.user,
        )
        _mark_saved(obj, household)


@admin.register(Resident)
class ResidentAdmin(GongzhiAdmin):
    fields = ["household", "name", "phone", "id_number", "is_head", "tags"]
    list_display = ["name", "household", "phone", "is_head"]
    list_filter = ["is_head"]
    search_fields = ["name", "phone"]
    list_select_related = ["household__building"]
    autocomplete_fields = ["household"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # no action edits a resident yet: view only

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Phone and ID number are shown in clear: only where the viewer may see them.
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.VIEW_PERSONAL_DATA, "household__area_path")
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        resident = add_resident(
            household=data["household"], name=data["name"], phone=data["phone"],
            id_number=data["id_number"], is_head=data["is_head"], tags=data["tags"] or [],
            acting_user=request.user,
        )
        _mark_saved(obj, resident)
