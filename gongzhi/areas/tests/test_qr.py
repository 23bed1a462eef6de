"""Building QR codes: real PNG and SVG images that carry the landing page's absolute URL."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.test import RequestFactory
from django.urls import resolve
from PIL import Image

from gongzhi.areas import qr
from gongzhi.cases import views_resident

B1 = "CA-G1-X1-B1"
LANDING = f"http://testserver/r/{B1}/"


def modules(png: bytes) -> list[list[bool]]:
    """Read the code back from the picture: one sample at the centre of each module."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    assert width == height
    assert all(image.getpixel((x, 0)) > 128 for x in range(width))  # light quiet zone
    # Down the diagonal, the first dark pixel is the finder pattern's corner, after the
    # quiet zone: that gives the size of one module in pixels.
    box = next(x for x in range(width) if image.getpixel((x, x)) < 128) // qr.BORDER
    count = width // box
    return [[image.getpixel((c * box + box // 2, r * box + box // 2)) < 128
             for c in range(count)] for r in range(count)]


def test_landing_url_is_absolute_and_opens_the_landing_page(street, settings):
    settings.ALLOWED_HOSTS = ["gongzhi.example.cn"]
    request = RequestFactory().get("/", HTTP_HOST="gongzhi.example.cn")
    url = qr.landing_url(request, street.b1)
    assert url == f"http://gongzhi.example.cn/r/{B1}/"
    match = resolve(qr.landing_path(street.b1))
    assert match.func is views_resident.report and match.kwargs == {"building_code": B1}


def test_png_is_a_png_whose_modules_encode_the_url():
    data = qr.png(LANDING)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode in {"1", "L"}
    assert modules(data) == qr.matrix(LANDING)
    assert modules(data) != qr.matrix(LANDING.replace(B1, "CB-X1-B1"))


def test_svg_is_well_formed_svg():
    root = ET.fromstring(qr.svg(LANDING))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path").get("d")


@pytest.mark.parametrize("suffix", ["qr.png", "qr.svg"])
def test_views_serve_the_building_code(client, street, suffix):
    client.force_login(street.staff_a)
    response = client.get(f"/areas/{B1}/{suffix}")
    assert response.status_code == 200
    if suffix == "qr.png":
        assert response["Content-Type"] == "image/png"
        assert modules(response.content) == qr.matrix(LANDING)
    else:
        assert response["Content-Type"] == "image/svg+xml"
        assert response.content == qr.svg(LANDING)
