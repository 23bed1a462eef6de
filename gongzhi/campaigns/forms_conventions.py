"""Forms of the 居民公约 staff pages: draft / revise (articles one a line), put to the
households (the consultation's close), and a paper signature (a household of a building).

Forms only parse and offer choices within the user's scope; the rules are the actions'."""

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.campaigns.models import Convention
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.widgets import QuickSelects
from gongzhi.deliberation.forms_votes import LocalDateTimeField

AREA_KINDS = (AreaKind.COMMUNITY, AreaKind.COMPOUND)
AREA_LIMIT = 500


def _area_label(node: AreaNode) -> str:
    return "\u3000" * max(0, node.depth - 4) + f"{node.name}（{node.get_kind_display()}）"


def convention_areas(user) -> QuerySet[AreaNode]:
    """Communities and compounds where the user runs campaigns (the first 500)."""
    pks = (AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                   kind__in=AREA_KINDS).order_by("path")
           .values_list("pk", flat=True)[:AREA_LIMIT])
    return AreaNode.objects.filter(pk__in=list(pks)).order_by("path")


class ConventionForm(QuickSelects, forms.Form):
    area = forms.ModelChoiceField(label=_("公约区域"), queryset=AreaNode.objects.none(),
                                  empty_label=_("请选择"),
                                  error_messages={"required": _("请选择社区或小区"),
                                                  "invalid_choice": _("请选择社区或小区")})
    title = forms.CharField(label=_("公约名称"), max_length=100, required=False,
                            help_text=_("例如：活龙社区居民公约"))
    text = forms.CharField(label=_("公约条文"), required=False,
                           widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("每行一条，公布时自动编号；空行会被忽略"))

    def __init__(self, *args, user, convention: Convention | None = None, **kwargs):
        if convention is not None:
            kwargs.setdefault("initial", {"area": convention.area_id, "title": convention.title,
                                          "text": convention.text})
        super().__init__(*args, **kwargs)
        areas = convention_areas(user)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = _area_label
        only = list(areas[:2])
        if convention is None and len(only) == 1:
            self.initial.setdefault("area", only[0].pk)


class ConsultForm(forms.Form):
    closes_at = LocalDateTimeField(label=_("征求意见截止时间"))

    def __init__(self, *args, **kwargs):
        now = timezone.localtime().replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {"closes_at": now + timedelta(days=14)})
        super().__init__(*args, **kwargs)


class PaperSignatureForm(forms.Form):
    """A household of the building whose signature on paper is being recorded."""

    household = forms.ModelChoiceField(
        label=_("住户"), queryset=Household.objects.none(),
        error_messages={"required": _("请选择住户"), "invalid_choice": _("请选择本楼的住户")})

    def __init__(self, *args, building: AreaNode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(building=building)
