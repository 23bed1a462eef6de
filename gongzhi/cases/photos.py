"""Photo uploads: checked by their content (not their name), then stored by hash."""

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from gongzhi.cases.models import CasePhoto

MAX_PHOTOS = 9
MAX_BYTES = 10 * 1024 * 1024
# A small file can still decode to a huge bitmap (decompression bomb).
MAX_PIXELS = 50_000_000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
           "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class CheckedPhoto:
    data: bytes
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _read(upload, number: int) -> tuple[str, bytes]:
    if isinstance(upload, CheckedPhoto):  # checked by a form already; checked again here
        return "", upload.data
    if isinstance(upload, (bytes, bytearray)):
        return "", bytes(upload)
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_big(number, name)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    return name, data


def _photo_label(number: int, name: str) -> str:
    if name:
        return gettext("第 %(n)d 张照片（%(name)s）") % {"n": number, "name": name}
    return gettext("第 %(n)d 张照片") % {"n": number}


# Messages are translated when shown, not when raised: a page shows the reader's language,
# the JSON API both (core.api.validation_body).
_label = lazy(_photo_label, str)


def _too_big(number: int, name: str) -> ValidationError:
    return ValidationError(_("%(photo)s超过 10 MB"), code="too_big",
                           params={"photo": _label(number, name)})


def check_photos(uploads: Iterable) -> list[CheckedPhoto]:
    """Read and verify every upload; raise ValidationError before anything is stored.

    Accepts uploaded files, bytes, or CheckedPhoto objects from an earlier check.
    """
    uploads = list(uploads or ())
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("最多上传 %(max)d 张照片"), code="too_many",
                              params={"max": MAX_PHOTOS})
    checked = []
    for number, upload in enumerate(uploads, start=1):
        name, data = _read(upload, number)
        if len(data) > MAX_BYTES:
            raise _too_big(number, name)
        checked.append(_verify(number, name, data))
    return checked


def _verify(number: int, name: str, data: bytes) -> CheckedPhoto:
    not_image = ValidationError(_("%(photo)s不是 JPEG、PNG 或 WebP 图片"), code="not_image",
                                params={"photo": _label(number, name)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                width, height = img.size
                img.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as exc:
        raise not_image from exc
    if fmt not in FORMATS:
        raise not_image
    if width * height > MAX_PIXELS:
        raise ValidationError(_("%(photo)s像素过大"), code="too_large",
                              params={"photo": _label(number, name)})
    content_type, extension = FORMATS[fmt]
    return CheckedPhoto(data=data, content_type=content_type, extension=extension,
                        sha256=hashlib.sha256(data).hexdigest())


def save_photos(*, case, event, photos: list[CheckedPhoto]) -> list[CasePhoto]:
    """Store checked photos for ``case`` (skipping exact repeats already on it)."""
    have = set(case.photos.values_list("sha256", flat=True))
    saved = []
    for photo in photos:
        if photo.sha256 in have:
            continue
        have.add(photo.sha256)
        row = CasePhoto(case=case, event=event, content_type=photo.content_type,
                        extension=photo.extension, size=photo.size, sha256=photo.sha256)
        row.image.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.data),
                       save=False)
        row.save()
        saved.append(row)
    return saved
