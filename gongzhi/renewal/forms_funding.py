"""Forms of a project's funding page: a source's amount, funds committed to an item, a
payment. Amounts are text: the action's checks (to the fen, never above what a source
holds, what an item's budget allows or what was committed) give the message shown."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.widgets import QuickSelects
from gongzhi.renewal.models import FundingSource, Project, SourceKind, WorkItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OwnIds:
    """Three forms share the page: each names its fields' ids after itself."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class ItemField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WorkItem) -> str:
        return f"{obj.get_category_display()} · {obj.name}"


class SourceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FundingSource) -> str:
        return obj.get_kind_display()


class SourceForm(OwnIds, QuickSelects, forms.Form):
    ids = "source_%s"
    kind = forms.ChoiceField(label=_("资金来源"), choices=SourceKind.choices)
    amount = forms.CharField(label=_("金额（元）"), max_length=20, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class _ItemMoneyForm(OwnIds, QuickSelects, forms.Form):
    item = ItemField(label=_("改造内容"), queryset=WorkItem.objects.none(),
                     empty_label=_("请选择"))
    source = SourceField(label=_("资金来源"), queryset=FundingSource.objects.none(),
                         empty_label=_("请选择"))
    amount = forms.CharField(label=_("金额（元）"), max_length=20, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = project.items.order_by("category", "order", "id")
        self.fields["source"].queryset = project.sources.order_by("kind")


class CommitForm(_ItemMoneyForm):
    ids = "commit_%s"
    note = forms.CharField(label=_("说明（如合同编号）"), max_length=200, required=False)


class PaymentForm(_ItemMoneyForm):
    ids = "payment_%s"
    paid_on = forms.DateField(label=_("支付日期"), required=False, widget=DATE,
                              help_text=_("不填即今天"))
    note = forms.CharField(label=_("用途"), max_length=200, required=False)
