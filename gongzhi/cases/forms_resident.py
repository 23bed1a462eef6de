"""Forms of the resident pages: report a problem, say "me too" (附议), rate the result.

Every error is a plain Chinese sentence shown next to its field. Photos are checked by
their content here already, so a bad photo is reported before anything is created.
"""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Rating
from gongzhi.cases.photos import MAX_PHOTOS, CheckedPhoto, check_photos

TITLE_LENGTH = 100
DERIVED_TITLE_LENGTH = 20
DESCRIPTION_LENGTH = 2000
# Mainland mobile numbers: 11 digits starting 13–19; "+86", spaces and dashes are tolerated.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_SENTENCE_END = re.compile(r"[。！？!?；;，,\n]")


def normalise_mobile(value: str) -> str:
    """The 11 digits of a mainland mobile number, or raise a Chinese ValidationError."""
    digits = _PHONE_NOISE.sub("", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
    if not _MOBILE.match(digits):
        raise ValidationError(
            _("请填写 11 位手机号码，例如 13812345678"),
            code="phone")
    return digits


def derive_title(text: str) -> str:
    """A short title from the description: its first phrase, at most 20 characters."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    first = " ".join(first.split())
    if len(first) > DERIVED_TITLE_LENGTH:
        first = first[:DERIVED_TITLE_LENGTH] + "…"
    return first


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine photos from one ``<input type=file multiple>``; checked by content."""

    def __init__(self, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment"}
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list[CheckedPhoto]:
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(max)d 张照片，请少选几张"), code="too_many",
                                  params={"max": MAX_PHOTOS})
        return check_photos(files)


class ReportForm(forms.Form):
    """遇到了什么问题: text, optional title, photos, urgency and how to reach the reporter."""

    description = forms.CharField(
        label=_("遇到了什么问题"), max_length=DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请说清楚在哪里、什么问题、影响了谁。例如：3单元门口路灯不亮，晚上老人出门看不清。"),
        error_messages={"required": _("请写下您遇到的问题"),
                        "max_length": _("问题描述最多 %(limit_value)d 个字")},
    )
    title = forms.CharField(
        label=_("一句话标题（可不填）"), max_length=TITLE_LENGTH, required=False,
        help_text=_("不填会自动从问题描述里摘取。"),
        error_messages={"max_length": _("标题最多 %(limit_value)d 个字")},
    )
    photos = PhotosField(label=_("照片（可不拍，最多 9 张）"))
    urgent = forms.BooleanField(label=_("很紧急，影响安全或正常生活"), required=False)
    reporter_name = forms.CharField(label=_("您的称呼（可不填）"), max_length=50, required=False,
                                    error_messages={"max_length": _("称呼最多 50 个字")})
    reporter_phone = forms.CharField(
        label=_("手机号码"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                      "autocomplete": "tel"}),
        help_text=_("只给处理您问题的工作人员看，方便联系您。"),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user if getattr(user, "is_authenticated", False) else None
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4())
        if self.user is not None:
            kwargs["initial"].setdefault("reporter_name", self.user.full_name)
            kwargs["initial"].setdefault("reporter_phone", self.user.phone or "")
        super().__init__(*args, **kwargs)
        if self.user is None:
            self.fields["reporter_phone"].label = _("手机号码（必填）")

    def clean_description(self) -> str:
        # Browsers send textarea line breaks as CRLF; store plain newlines.
        text = self.cleaned_data["description"].replace("\r\n", "\n").strip()
        if not text:
            raise ValidationError(self.fields["description"].error_messages["required"])
        return text

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data.get("reporter_phone", "").strip()
        if not phone:
            if self.user is None:
                raise ValidationError(_("请留下手机号码，方便工作人员联系您"), code="required")
            return ""
        return normalise_mobile(phone)

    def clean_idempotency_key(self) -> str:
        return self.cleaned_data["idempotency_key"].hex

    def clean(self) -> dict:
        data = super().clean()
        if data.get("description") and not (data.get("title") or "").strip():
            data["title"] = derive_title(data["description"])
        return data


class SupportForm(forms.Form):
    """附议: logged-in residents are known; everyone else leaves a mobile number."""

    phone = forms.CharField(label=_("手机号码"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user if getattr(user, "is_authenticated", False) else None
        super().__init__(*args, **kwargs)

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            if self.user is None:
                raise ValidationError(_("请留下手机号码再附议"), code="required")
            return ""
        return normalise_mobile(phone)


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对处理结果满意吗？"), choices=Rating.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意"),
                        "invalid_choice": _("请选择满意、基本满意或不满意")},
    )
    comment = forms.CharField(
        label=_("还想说的话（可不填）"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("最多 %(limit_value)d 个字")},
    )
