"""Forms of the area pages: the household filter and the Excel upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.excel import MAX_BYTES
from gongzhi.core.widgets import QuickSelects

XLSX_TYPES = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HouseholdFilterForm(QuickSelects, forms.Form):
    """GET filters of the households list; the cursor is the last household shown."""

    q = forms.CharField(label=_("房号或姓名"), max_length=50, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    after = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def values(self) -> tuple[str, int | None]:
        """(search text, cursor); bad input counts as none rather than an error page."""
        if not self.is_valid():
            return "", None
        return self.cleaned_data["q"].strip(), self.cleaned_data["after"]


class HouseholdImportForm(forms.Form):
    file = forms.FileField(
        label=_("住户表（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_TYPES}),
        error_messages={"required": _("请选择要导入的 .xlsx 文件"),
                        "empty": _("上传的文件是空的")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Excel 2007 及以上的 .xlsx 文件，不超过 %(mb)d MB。") % {
            "mb": MAX_BYTES // 2**20}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只能导入 .xlsx 文件；旧版 .xls 请在 Excel 中另存为 .xlsx"))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB，请拆分后分批导入") % {"mb": MAX_BYTES // 2**20})
        return upload
