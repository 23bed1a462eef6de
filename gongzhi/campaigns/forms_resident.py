"""Forms of the residents' campaigns pages: putting someone forward for a 最美 selection.
They only parse input; ``gongzhi.campaigns.actions.nominate`` decides what is allowed, and
its refusals are put next to the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.campaigns.models import Selection, SelectionCategory
from gongzhi.cases.forms_resident import MultiplePhotoInput, PhotosField

NOMINEE_LENGTH = 50
STORY_LENGTH = 2000


def _text(value: str) -> str:
    # Browsers send textarea line breaks as CRLF; store plain newlines.
    return (value or "").replace("\r\n", "\n").strip()


class NominationForm(forms.Form):
    """推荐: the category, who or what, why, whether it is my own household, photos."""

    category = forms.ModelChoiceField(
        label=_("评选类别"), queryset=SelectionCategory.objects.none(), empty_label=None,
        error_messages={"required": _("请选择评选类别"),
                        "invalid_choice": _("请从列表中选择评选类别")})
    nominee = forms.CharField(
        label=_("推荐对象"), max_length=NOMINEE_LENGTH,
        help_text=_("例如：王秀英家庭、3栋2单元楼道、志愿者李建国。"),
        error_messages={"required": _("请填写推荐对象"),
                        "max_length": _("推荐对象最多 %(limit_value)d 个字")})
    story = forms.CharField(
        label=_("推荐理由和事迹"), max_length=STORY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("写清楚做了什么、坚持了多久、邻居们怎么评价。"),
        error_messages={"required": _("请写下推荐理由和事迹"),
                        "max_length": _("推荐理由和事迹最多 %(limit_value)d 个字")})
    self_nomination = forms.BooleanField(
        label=_("自荐：推荐的是我自己家"), required=False)
    # From the album as well as the camera: a family's photos are mostly taken already.
    photos = PhotosField(label=_("照片（可不传，最多 9 张）"),
                         widget=MultiplePhotoInput(attrs={"accept": "image/*"}))

    def __init__(self, *args, selection: Selection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selection.categories.all()

    def clean_nominee(self) -> str:
        return " ".join(self.cleaned_data.get("nominee", "").split())

    def clean_story(self) -> str:
        return _text(self.cleaned_data.get("story", ""))
