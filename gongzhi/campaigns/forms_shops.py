"""Forms of 门前三包: the shop register's filter, a shop, a contract, an inspection on the
phone, the board's month. They only parse input and offer choices in the user's scope; the
rules are the actions' and come back as their ValidationError next to the field."""

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns.actions.shops import DEFAULT_TERMS
from gongzhi.campaigns.selectors_shops import month_start, previous_month
from gongzhi.cases.forms import PhotosField
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.widgets import QuickSelects

SHOP_PLACES = (AreaKind.GRID_LARGE, AreaKind.GRID_SMALL, AreaKind.COMPOUND)
PLACE_LIMIT = 500
PASS_FAIL = [("pass", _("合格")), ("fail", _("不合格"))]


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AreaNode) -> str:
        return "\u3000" * max(0, obj.depth - 5) + f"{obj.name}（{obj.get_kind_display()}）"


def shop_places(user) -> QuerySet[AreaNode]:
    """Grids (and compounds) where the user may register shops."""
    pks = (AreaNode.objects.filter(scope_q(user, Perm.RUN_CAMPAIGNS, "path"),
                                   kind__in=SHOP_PLACES)
           .order_by("path").values_list("pk", flat=True)[:PLACE_LIMIT])
    return AreaNode.objects.filter(pk__in=list(pks)).order_by("path")


class ShopFilterForm(QuickSelects, forms.Form):
    """?grid=…&q=… on the register; bad values mean no filter."""

    grid = AreaField(label=_("网格"), queryset=AreaNode.objects.none(), required=False,
                     empty_label=_("全部网格"))
    q = forms.CharField(label=_("商户名称"), max_length=50, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = shop_places(user)

    def chosen(self) -> tuple[AreaNode | None, str]:
        if not self.is_valid():
            return None, ""
        return self.cleaned_data.get("grid"), (self.cleaned_data.get("q") or "").strip()


class ShopForm(QuickSelects, forms.Form):
    name = forms.CharField(label=_("商户名称"), max_length=100, required=False)
    area = AreaField(label=_("所在网格"), queryset=AreaNode.objects.none(),
                     empty_label=_("请选择"),
                     error_messages={"required": _("请选择商户所在网格"),
                                     "invalid_choice": _("请选择商户所在网格")})
    address = forms.CharField(label=_("门牌地址"), max_length=120, required=False)
    business = forms.CharField(label=_("经营类别"), max_length=30, required=False,
                               help_text=_("例如：餐饮、五金、超市"))
    responsible_person = forms.CharField(label=_("责任人"), max_length=30, required=False)
    responsible_phone = forms.CharField(label=_("责任人电话"), max_length=20, required=False)
    phone = forms.CharField(label=_("商户电话"), max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = shop_places(user)


def shop_initial(shop) -> dict:
    return {"name": shop.organisation.name, "area": shop.area_id, "address": shop.address,
            "business": shop.business, "responsible_person": shop.responsible_person,
            "responsible_phone": shop.responsible_phone, "phone": shop.organisation.phone}


class DateInput(forms.DateInput):
    input_type = "date"


class ContractForm(forms.Form):
    starts_on = forms.DateField(label=_("责任期开始"), widget=DateInput,
                                error_messages={"required": _("请填写日期"),
                                                "invalid": _("请填写日期")})
    ends_on = forms.DateField(label=_("责任期结束"), widget=DateInput,
                              error_messages={"required": _("请填写日期"),
                                              "invalid": _("请填写日期")})
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput,
                                error_messages={"required": _("请填写日期"),
                                                "invalid": _("请填写日期")})
    signed_by_shop = forms.CharField(label=_("商户签字人"), max_length=30, required=False)
    terms = forms.CharField(label=_("责任内容"), required=False,
                            widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, shop, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {
            "starts_on": today, "ends_on": date(today.year, 12, 31) if today.month < 12
            else date(today.year + 1, 12, 31), "signed_on": today,
            "signed_by_shop": shop.responsible_person, "terms": DEFAULT_TERMS})
        super().__init__(*args, **kwargs)


class InspectionForm(forms.Form):
    """Three big 合格 / 不合格 toggles, what was seen, photos from the phone's camera."""

    sanitation = forms.ChoiceField(label=_("包市容环境卫生"), choices=PASS_FAIL,
                                   initial="pass", widget=forms.RadioSelect)
    greenery = forms.ChoiceField(label=_("包绿化"), choices=PASS_FAIL, initial="pass",
                                 widget=forms.RadioSelect)
    order = forms.ChoiceField(label=_("包秩序"), choices=PASS_FAIL, initial="pass",
                              widget=forms.RadioSelect)
    note = forms.CharField(label=_("检查情况"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("有不合格项时必填：写明发现的问题和整改要求"))
    photos = PhotosField(label=_("现场照片（有问题时必拍）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update({"accept": "image/*",
                                                    "capture": "environment"})

    def duty_fields(self) -> list[forms.BoundField]:
        return [self["sanitation"], self["greenery"], self["order"]]

    def oks(self) -> dict[str, bool]:
        data = self.cleaned_data
        return {"sanitation_ok": data["sanitation"] == "pass",
                "greenery_ok": data["greenery"] == "pass", "order_ok": data["order"] == "pass"}


class MonthForm(QuickSelects, forms.Form):
    """?area=…&month=YYYY-MM for the board; last month unless told."""

    area = AreaField(label=_("社区"), queryset=AreaNode.objects.none(), empty_label=None)
    month = forms.CharField(label=_("月份"), max_length=7, required=False,
                            widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    def default_month(self) -> date:
        return previous_month(month_start(timezone.localdate()))
