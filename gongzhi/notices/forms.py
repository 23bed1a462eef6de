"""Forms of the notice pages: they parse input; the actions check it again and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.notices.actions import MAX_OBJECTION, MAX_PERIOD_DAYS
from gongzhi.notices.models import NoticeKind, NoticeStatus

# Scope lists stay short enough for a <select>: buildings are many and rarely a notice's
# whole audience.
AREA_CHOICES_LIMIT = 500


def _text(label, message: str, *, rows: int, max_length: int) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": message})


class ObjectionForm(forms.Form):
    text = _text(_("异议内容"), _("请写明异议内容"), rows=4, max_length=MAX_OBJECTION)


class NoticeForm(forms.Form):
    """A new draft: the area is one the user publishes for."""

    kind = forms.ChoiceField(label=_("类型"), choices=NoticeKind.choices,
                             initial=NoticeKind.ANNOUNCEMENT)
    title = forms.CharField(label=_("标题"), max_length=100,
                            error_messages={"required": _("请填写标题")})
    body = _text(_("正文"), _("请填写正文"), rows=10, max_length=20000)
    area = forms.ModelChoiceField(label=_("公示范围"), queryset=AreaNode.objects.none(),
                                  empty_label=_("请选择"),
                                  error_messages={"required": _("请选择公示范围"),
                                                  "invalid_choice": _("请选择您辖区内的区域")})
    period_days = forms.IntegerField(
        label=_("公示期（天）"), initial=7, min_value=1, max_value=MAX_PERIOD_DAYS,
        error_messages={"required": _("请填写公示期"), "invalid": _("公示期须为整数天")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = (AreaNode.objects.filter(scope_q(user, Perm.PUBLISH_NOTICES))
                 .exclude(kind=AreaKind.BUILDING).order_by("path")[:AREA_CHOICES_LIMIT])
        self.fields["area"].queryset = AreaNode.objects.filter(
            pk__in=list(scope.values_list("pk", flat=True))).order_by("path")
        self.fields["area"].label_from_instance = lambda n: (
            "\u3000" * max(0, n.depth - 3) + f"{n.name}（{n.get_kind_display()}）")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请说明撤回原因")})


class AnswerForm(forms.Form):
    answer = _text(_("答复"), _("请填写答复"), rows=3, max_length=MAX_OBJECTION)


STATUS_FILTERS = [("", _("全部"))] + list(NoticeStatus.choices)


def status_filter(value: str | None) -> str:
    """The status the manage list filters by, or "" for all (unknown values: all)."""
    return value if value in NoticeStatus.values else ""
