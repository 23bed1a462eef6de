"""QR codes on building doors: each opens the resident landing page for that building."""

import io

import qrcode
import qrcode.constants
from django.http import HttpRequest
from django.urls import reverse
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

from gongzhi.areas.models import AreaNode

# M survives a scuffed or partly covered sticker (15% of the code) and keeps it small.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BORDER = 4  # the quiet zone the standard asks for, in modules


def landing_path(building: AreaNode) -> str:
    """Path of the building's resident landing page: the short /r/<code>/ (a smaller code)."""
    return reverse("report_landing_short", kwargs={"building_code": building.code})


def landing_url(request: HttpRequest, building: AreaNode) -> str:
    """The absolute URL a phone opens after scanning the building's code."""
    return request.build_absolute_uri(landing_path(building))


def _code(data: str, box_size: int, factory) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=BORDER,
                         image_factory=factory)
    code.add_data(data)
    code.make(fit=True)
    return code


def matrix(data: str) -> list[list[bool]]:
    """The modules of the code for ``data`` (quiet zone included): what the images draw."""
    return _code(data, 1, None).get_matrix()


def png(data: str, *, box_size: int = 10) -> bytes:
    buffer = io.BytesIO()
    _code(data, box_size, PilImage).make_image().save(buffer)
    return buffer.getvalue()


def svg(data: str) -> bytes:
    """A single-path SVG: small, and sharp at any print size."""
    return _code(data, 10, SvgPathImage).make_image().to_string(encoding="unicode").encode()
