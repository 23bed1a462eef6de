"""Fixtures of the shops tests (imported by conftest): three registered shops on the shared
``street`` — two in community A's grids (one with a member login, ``shopkeeper``) and one in
community B — and helpers for photos and dates in a past month."""

from datetime import date, datetime, time
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actions import add_member
from gongzhi.campaigns import actions as ca
from gongzhi.conftest import make_user

__all__ = ["shops"]


def jpeg(colour: str = "red") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def months_ago(n: int, today: date | None = None) -> date:
    """The first day of the month ``n`` months before this one."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def local(month: date, day: int, hour: int = 10) -> datetime:
    return datetime.combine(month.replace(day=day), time(hour),
                            tzinfo=timezone.get_current_timezone())


@pytest.fixture
def shops(street):
    """``shop_a1`` (grid A1, member ``shopkeeper``), ``shop_a2`` (grid A2), ``shop_b``
    (community B's compound), registered by their community staff."""
    n = street
    n.shop_a1 = ca.register_shop(name="老王早餐店", area=n.grid_a1, address="活龙路 12 号",
                                 responsible_person="王建华", responsible_phone="13511112222",
                                 business="餐饮", acting_user=n.staff_a)
    n.shop_a2 = ca.register_shop(name="利民五金", area=n.grid_a2, address="活龙路 30 号",
                                 responsible_person="李利民", responsible_phone="13522223333",
                                 acting_user=n.staff_a)
    n.shop_b = ca.register_shop(name="德鑫水果", area=n.b3.parent, address="德鑫路 5 号",
                                responsible_person="刘德", responsible_phone="13533334444",
                                acting_user=n.staff_b)
    n.shopkeeper = make_user("shopkeeper", phone="13511112222")
    add_member(organisation=n.shop_a1.organisation, user=n.shopkeeper, acting_user=None)
    return n
