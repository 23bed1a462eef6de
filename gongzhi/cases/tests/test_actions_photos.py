"""Photos are checked by content (Pillow), size and count; a bad one stores nothing."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases import actions, photos
from gongzhi.cases.models import Case, CasePhoto, Source


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def image_bytes(fmt: str = "PNG", size=(32, 24), colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def submit(ledger, uploads):
    return actions.submit_case(title="井盖破损", description="路口井盖破损", area=ledger.b1,
                               source=Source.RESIDENT_PAGE, acting_user=ledger.resident,
                               photos=uploads)


def test_real_images_are_stored_with_hash_and_extension(ledger):
    png = image_bytes("PNG")
    jpeg = image_bytes("JPEG", colour="blue")
    webp = image_bytes("WEBP", colour="green")
    case = submit(ledger, [SimpleUploadedFile("a.png", png, "image/png"),
                           SimpleUploadedFile("photo.bin", jpeg), webp])
    rows = list(case.photos.order_by("id"))
    assert [(r.extension, r.content_type) for r in rows] == [
        ("png", "image/png"), ("jpg", "image/jpeg"), ("webp", "image/webp")]
    assert rows[0].sha256 == hashlib.sha256(png).hexdigest() and rows[0].size == len(png)
    assert rows[0].event == case.events.get(kind="submitted")
    assert rows[0].image.name == f"cases/{case.pk}/{rows[0].sha256[:16]}.png"
    assert Path(rows[0].image.path).read_bytes() == png
    assert len(stored_files()) == 3


def test_text_renamed_to_jpg_is_refused_and_nothing_is_written(ledger):
    fake = SimpleUploadedFile("photo.jpg", b"this is not an image\n" * 20, "image/jpeg")
    with pytest.raises(ValidationError) as err:
        submit(ledger, [SimpleUploadedFile("ok.png", image_bytes()), fake])
    message = err.value.messages[0]
    assert "第 2 张照片" in message and "photo.jpg" in message
    assert "不是 JPEG、PNG 或 WebP 图片" in message
    assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0
    assert stored_files() == []


def test_other_image_formats_are_refused(ledger):
    gif = image_bytes("GIF")
    with pytest.raises(ValidationError, match="不是 JPEG、PNG 或 WebP"):
        submit(ledger, [gif])
    assert Case.objects.count() == 0


def test_truncated_image_is_refused():
    with pytest.raises(ValidationError):
        photos.check_photos([image_bytes("PNG")[:40]])


def test_more_than_nine_photos_are_refused(ledger):
    with pytest.raises(ValidationError, match="最多上传 9 张照片"):
        submit(ledger, [image_bytes(colour=(i, 0, 0)) for i in range(10)])
    assert Case.objects.count() == 0 and stored_files() == []


def test_over_ten_megabytes_is_refused(ledger):
    big = SimpleUploadedFile("big.png", image_bytes() + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="超过 10 MB"):
        submit(ledger, [big])
    assert Case.objects.count() == 0 and stored_files() == []


def test_the_same_photo_twice_is_stored_once(ledger):
    png = image_bytes()
    case = submit(ledger, [png, png])
    assert case.photos.count() == 1


def test_resolution_photos_hang_on_the_resolved_event(ledger):
    case = ledger.new_case("in_progress")
    with pytest.raises(ValidationError):
        actions.resolve_case(case=case, result="已更换", acting_user=ledger.dept_member,
                             photos=[b"GIF89a not really"])
    case.refresh_from_db()
    assert case.status == "in_progress" and stored_files() == []
    case = actions.resolve_case(case=case, result="已更换", acting_user=ledger.dept_member,
                                photos=[image_bytes("JPEG")])
    photo = case.photos.get()
    assert photo.event.kind == "resolved"


def test_photos_checked_by_a_form_are_accepted(ledger):
    checked = photos.check_photos([image_bytes("WEBP")])
    case = submit(ledger, checked)
    assert case.photos.get().sha256 == checked[0].sha256
