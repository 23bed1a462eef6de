"""Forms of the compound records pages: the list's filters, one record, the Excel upload.

Forms only parse and offer choices within the user's MANAGE_RENEWAL scope; the rules
(a year from 1800 to this year, an area in m² to the fen …) are the action's and come back
as its ValidationError next to the field. Numbers are text fields for that reason.
"""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.forms import HouseholdImportForm
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases.forms import PhotosField
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.renewal.actions.records_import import managers_serving
from gongzhi.renewal.models import Management, built_before


def communities_in_scope(user) -> QuerySet[AreaNode]:
    return AreaNode.objects.filter(scope_q(user, Perm.MANAGE_RENEWAL, "path"),
                                   kind=AreaKind.COMMUNITY).order_by("path")


class RecordFilterForm(QuickSelects, forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=AreaNode.objects.none(),
                                       required=False, empty_label=_("全部"))
    eligible = forms.ChoiceField(label=_("改造条件"), required=False)
    record = forms.ChoiceField(label=_("档案"), required=False, choices=[
        ("", _("全部")), ("none", _("未建档")), ("has", _("已建档"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_in_scope(user)
        year = built_before()
        self.fields["eligible"].choices = [
            ("", _("全部")),
            ("yes", _("符合（建成于 %(year)d 年以前）") % {"year": year}),
            ("no", _("不符合或年份未填"))]

    def chosen(self) -> dict:
        """The valid filters (a bad value counts as none rather than an error page)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ManagerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class RecordForm(QuickSelects, forms.Form):
    built_year = forms.CharField(label=_("建成年份"), max_length=10, required=False,
                                 help_text=_("四位数字，如 1992"))
    floor_area = forms.CharField(label=_("总建筑面积（m²）"), max_length=20, required=False)
    management = forms.ChoiceField(label=_("管理方式"), choices=Management.choices)
    manager = ManagerField(label=_("管理单位"), queryset=Organisation.objects.none(),
                           required=False, empty_label=_("无"))
    facilities = forms.CharField(label=_("现有设施"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("存在问题"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("照片（可多选，JPEG、PNG 或 WebP）"))

    def __init__(self, *args, compound: AreaNode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers_serving(compound.path)


class RecordImportForm(HouseholdImportForm):
    """The households' spreadsheet checks (.xlsx, size), for the compound records' sheet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("小区档案表（.xlsx）")
