"""Forms of the campaigns staff console (文明创建 · 工作台): a new 最美 selection, a staff
nomination, the review of a nomination and the final list.

Forms only parse input and offer choices within the user's RUN_CAMPAIGNS scope; the rules
(dates in order, places, stages, the note when the list departs from the ranking …) are the
actions' and come back as their ValidationError, shown next to the field.
"""

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns.models import (
    Nomination,
    NominationStatus,
    Selection,
    SelectionCategory,
    Stage,
)
from gongzhi.cases.forms import PhotosField
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import subtree_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.deliberation.forms_votes import LocalDateTimeField

PERM = Perm.RUN_CAMPAIGNS
# A selection is a community's, or a street's across its communities.
SELECTION_KINDS = (AreaKind.STREET, AreaKind.COMMUNITY)
# Where a staff nominee is: the selection's area, or one of its compounds or buildings.
PLACE_KINDS = (AreaKind.COMPOUND, AreaKind.BUILDING)
PLACE_LIMIT = 500
CATEGORY_ROWS = 6
DEFAULT_CATEGORIES = [(_("最美家庭"), 3), (_("最美志愿者"), 3), (_("最美楼道"), 2)]
DECIDED = (NominationStatus.WINNER, NominationStatus.NOT_CHOSEN)
NUMBER_ERRORS = {"required": _("请填写数字"), "invalid": _("请填写数字")}


def _area_label(node: AreaNode) -> str:
    return "\u3000" * max(0, node.depth - 3) + f"{node.name}（{node.get_kind_display()}）"


def organisable_areas(user) -> QuerySet[AreaNode]:
    """Streets and communities where the user may run a selection."""
    return (AreaNode.objects.filter(scope_q(user, PERM, "path"), kind__in=SELECTION_KINDS)
            .order_by("path"))


def nominee_places(selection: Selection) -> QuerySet[AreaNode]:
    """The selection's area and its compounds and buildings (the first 500)."""
    below = AreaNode.objects.filter(subtree_q(selection.area_path), kind__in=PLACE_KINDS)
    pks = [selection.area_id, *below.order_by("path").values_list("pk", flat=True)[:PLACE_LIMIT]]
    return AreaNode.objects.filter(pk__in=pks).order_by("path")


class StageFilterForm(QuickSelects, forms.Form):
    """?stage=… on the list; a bad value means no filter."""

    stage = forms.ChoiceField(label=_("阶段"), required=False,
                              choices=[("", _("全部")), *Stage.choices])

    def chosen(self) -> str:
        return self.cleaned_data.get("stage", "") if self.is_valid() else ""


# --- a new selection ----------------------------------------------------------------------


def _default_dates() -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"nominations_close": now + timedelta(days=14),
            "voting_closes": now + timedelta(days=21)}


class SelectionForm(QuickSelects, forms.Form):
    area = forms.ModelChoiceField(label=_("评选区域"), queryset=AreaNode.objects.none(),
                                  empty_label=_("请选择"),
                                  error_messages={"required": _("请选择评选区域"),
                                                  "invalid_choice": _("请选择评选区域")})
    title = forms.CharField(label=_("评选名称"), max_length=100, required=False,
                            help_text=_("例如：2026年活龙社区“最美家庭”评选"))
    rules = forms.CharField(label=_("评选条件和办法"), required=False,
                            widget=forms.Textarea(attrs={"rows": 5}))
    year = forms.IntegerField(label=_("年度"), error_messages=NUMBER_ERRORS)
    nominations_close = LocalDateTimeField(label=_("推荐截止时间"))
    voting_closes = LocalDateTimeField(label=_("投票截止时间"))
    votes_per_category = forms.IntegerField(
        label=_("每类每人可投票数"), initial=1, error_messages=NUMBER_ERRORS,
        help_text=_("每位居民在每个类别最多可投的票数（每个推荐对象只能投一票）"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year, **_default_dates()})
        super().__init__(*args, **kwargs)
        areas = organisable_areas(user)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = _area_label
        only = list(areas[:2])
        if len(only) == 1:  # a community's staff: their community
            self.initial.setdefault("area", only[0].pk)
        for i in range(CATEGORY_ROWS):
            name, places = DEFAULT_CATEGORIES[i] if i < len(DEFAULT_CATEGORIES) else ("", "")
            self.fields[f"category_{i}"] = forms.CharField(
                label=_("评选类别"), max_length=30, required=False, initial=name)
            self.fields[f"places_{i}"] = forms.CharField(
                label=_("名额"), max_length=3, required=False, initial=places,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}))

    def category_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"category_{i}"], self[f"places_{i}"]) for i in range(CATEGORY_ROWS)]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("area", "title", "rules", "year", "nominations_close",
                                        "voting_closes", "votes_per_category")]

    def categories(self) -> list[tuple[str, str]]:
        """(name, places) of the rows with a name; the action checks them."""
        data = self.cleaned_data
        return [(data[f"category_{i}"].strip(), data[f"places_{i}"].strip())
                for i in range(CATEGORY_ROWS) if data.get(f"category_{i}", "").strip()]


# --- a staff nomination ----------------------------------------------------------------------


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AreaNode) -> str:
        return _area_label(obj)


class NominationForm(QuickSelects, forms.Form):
    category = forms.ModelChoiceField(label=_("评选类别"),
                                      queryset=SelectionCategory.objects.none(),
                                      empty_label=_("请选择"),
                                      error_messages={"required": _("请选择评选类别"),
                                                      "invalid_choice": _("请选择评选类别")})
    nominee = forms.CharField(label=_("推荐对象"), max_length=50, required=False,
                              help_text=_("家庭、个人或楼道的名称，例如：王秀英家庭、1栋1单元"))
    area = PlaceChoiceField(label=_("地点"), queryset=AreaNode.objects.none(),
                            empty_label=_("请选择"),
                            error_messages={"required": _("请选择推荐对象所在位置"),
                                            "invalid_choice": _("请选择推荐对象所在位置")})
    story = forms.CharField(label=_("推荐理由和事迹"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6}))
    photos = PhotosField(label=_("照片（选填，最多 9 张）"))

    def __init__(self, *args, selection: Selection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selection.categories.all()
        self.fields["area"].queryset = nominee_places(selection)


# --- review and the final list ------------------------------------------------------------


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("pass", _("通过审核")), ("refuse", _("不通过"))],
                                 error_messages={"required": _("请选择审核结果"),
                                                 "invalid_choice": _("请选择审核结果")})
    reason = forms.CharField(label=_("未通过原因"), max_length=200, required=False)


def _nominee_label(n: Nomination) -> str:
    return _("%(name)s（%(place)s），%(votes)d 票") % {
        "name": n.nominee, "place": n.place, "votes": n.vote_count}


class ConfirmForm(forms.Form):
    """One group of checkboxes per category (its nominees on the ballot), and the note."""

    note = forms.CharField(label=_("审定说明"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("名单与得票排名不一致时（如票数相同、发现不符合条件），须说明理由"))

    def __init__(self, *args, ballot, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        for category, nominations in ballot:
            self.fields[f"winners_{category.pk}"] = forms.TypedMultipleChoiceField(
                label=category.name, required=False, coerce=int,
                choices=[(n.pk, _nominee_label(n)) for n in nominations],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("请从投票名单中选择")})

    def category_fields(self) -> list[tuple[SelectionCategory, forms.BoundField]]:
        return [(category, self[f"winners_{category.pk}"]) for category, _rows in self.ballot]

    def winners(self) -> dict[int, list[int]]:
        return {category.pk: list(self.cleaned_data.get(f"winners_{category.pk}") or [])
                for category, _rows in self.ballot}


def confirm_initial(ballot) -> dict:
    """Ticked: the winners already marked, else the top ``places`` by votes."""
    initial = {}
    for category, nominations in ballot:
        marked = [n.pk for n in nominations if n.status == NominationStatus.WINNER]
        decided = any(n.status in DECIDED for n in nominations)
        initial[f"winners_{category.pk}"] = (
            marked if decided else [n.pk for n in nominations[:category.places]])
    return initial
