"""Forms of 十星级文明户: the assessment of one household on the phone (a checkbox and an
evidence line per star) and the year picked on the lists."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.campaigns.actions.stars import assessable_years
from gongzhi.campaigns.models import StarAssessment, StarCriterion


class AssessForm(forms.Form):
    """One ``star_<id>`` checkbox and ``evidence_<id>`` line per active criterion."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    note = forms.CharField(label=_("评定说明"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, criteria: list[StarCriterion], year: int,
                 assessment: StarAssessment | None = None, **kwargs) -> None:
        initial = {"year": year}
        if assessment is not None:
            initial["note"] = assessment.note
            for award in assessment.awards.all():
                initial[f"star_{award.criterion_id}"] = True
                initial[f"evidence_{award.criterion_id}"] = award.evidence
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in assessable_years()]
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"star_{criterion.pk}"] = forms.BooleanField(
                label=criterion.name, required=False, help_text=criterion.description)
            self.fields[f"evidence_{criterion.pk}"] = forms.CharField(
                label=_("事实依据"), max_length=200, required=False,
                widget=forms.TextInput(attrs={"placeholder": _("如：照顾独居邻居、参加志愿服务")}))

    def rows(self) -> list[tuple[StarCriterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"star_{c.pk}"], self[f"evidence_{c.pk}"]) for c in self.criteria]

    def clean(self) -> dict:
        data = super().clean()
        for criterion in self.criteria:
            evidence = (data.get(f"evidence_{criterion.pk}") or "").strip()
            if data.get(f"star_{criterion.pk}") and not evidence:
                self.add_error(f"evidence_{criterion.pk}", _("请写明事实依据"))
        return data

    def awards(self) -> dict[StarCriterion, str]:
        data = self.cleaned_data
        return {c: data.get(f"evidence_{c.pk}", "") for c in self.criteria
                if data.get(f"star_{c.pk}")}


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def chosen(self, default: int) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return default


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("星级名称"), max_length=20)
    description = forms.CharField(label=_("评定标准"), max_length=200, required=False)
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
