"""Campaigns fixtures on the shared ``street``: a 最美 selection of community A taking
nominations, and one open for voting with four nominees that passed review."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.actions import create_api_token, grant_role
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Selection
from gongzhi.campaigns.tests.fixtures_conventions import *  # noqa: F403
from gongzhi.campaigns.tests.fixtures_partners import *  # noqa: F403
from gongzhi.campaigns.tests.fixtures_shops import *  # noqa: F403
from gongzhi.campaigns.tests.fixtures_stars import *  # noqa: F403
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role


def resident_login(username: str, resident, building):
    user = make_user(username, resident=resident)
    grant_role(user=user, role=Role.RESIDENT, area=building, acting_user=None)
    return user


def new_selection(n, title: str, *, area=None, places=(2, 1), votes_per_category: int = 1,
                  **dates) -> Selection:
    now = timezone.now()
    return ca.create_selection(
        area=area or n.comm_a, title=title, rules="热心公益、邻里和睦，近三年无违法违纪记录。",
        year=now.year, nominations_close=dates.get("nominations_close", now + timedelta(days=7)),
        voting_closes=dates.get("voting_closes", now + timedelta(days=14)),
        categories=[("最美家庭", places[0]), ("最美楼道", places[1])],
        votes_per_category=votes_per_category, acting_user=n.staff_a)


def end_voting(selection: Selection) -> None:
    """The voting's close passes (tests stand in for the clock)."""
    Selection.objects.filter(pk=selection.pk).update(
        voting_closes=timezone.now() - timedelta(minutes=1))


@pytest.fixture
def campaigns(street):
    """``street`` plus logins for residents r1 (1栋, community A), r3 (机务小区, community A)
    and r4 (community B); ``nominating``: a selection taking nominations; ``voting``: one
    open for voting, two votes each per category, with 王秀英家庭, 李建国家庭 and 张伟家庭 as
    最美家庭 and 1栋1单元 as 最美楼道 (all passed review), plus a refused nomination."""
    n = street
    n.resident1 = resident_login("resident1", n.r1, n.b1)
    n.resident3 = resident_login("resident3", n.r3, n.b2)
    n.resident4 = resident_login("resident4", n.r4, n.b3)

    n.nominating = new_selection(n, "2026年活龙社区最美评选")
    ca.open_nominations(selection=n.nominating, acting_user=n.staff_a)
    n.family, n.stairwell = n.nominating.categories.all()

    n.voting = new_selection(n, "2026年活龙社区最美家庭评选", votes_per_category=2)
    ca.open_nominations(selection=n.voting, acting_user=n.staff_a)
    family, stairwell = n.voting.categories.all()
    n.v_family, n.v_stairwell = family, stairwell
    n.wang = ca.nominate(category=family, nominee="王秀英家庭", household=n.h1,
                         story="照顾独居邻居十年", acting_user=n.resident1)
    n.li = ca.nominate(category=family, nominee="李建国家庭", household=n.h2,
                       story="热心楼道事务", acting_user=n.resident1)
    n.zhang = ca.nominate(category=family, nominee="张伟家庭", household=n.h3,
                          story="孝老爱亲", acting_user=n.staff_a)
    n.unit1 = ca.nominate(category=stairwell, nominee="1栋1单元", area=n.b1,
                          story="楼道整洁，绿植满廊", acting_user=n.resident)
    n.refused = ca.nominate(category=family, nominee="无关人员", area=n.b1, story="——",
                            acting_user=n.resident)
    for nomination in (n.wang, n.li, n.unit1):
        ca.review_nomination(nomination=nomination, passed=True, acting_user=n.staff_a)
    ca.review_nomination(nomination=n.refused, passed=False, reason="不符合评选条件",
                         acting_user=n.staff_a)
    ca.open_voting(selection=n.voting, acting_user=n.staff_a)
    for obj in ("nominating", "voting", "wang", "li", "zhang", "unit1", "refused"):
        getattr(n, obj).refresh_from_db()
    return n


class Caller:
    """Requests with a bearer token of their own for each user (made once per user)."""

    def __init__(self, client) -> None:
        self.client, self.keys = client, {}

    def _auth(self, user) -> dict:
        if user.pk not in self.keys:
            _token, self.keys[user.pk] = create_api_token(user=user, name="测试",
                                                          acting_user=user)
        return {"HTTP_AUTHORIZATION": f"Bearer {self.keys[user.pk]}"}

    def get(self, user, url: str, params: dict | None = None):
        return self.client.get(url, params or {}, **self._auth(user))

    def post(self, user, url: str, body: dict | None = None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json",
                                **self._auth(user))


def assert_error(response, status: int, code: str) -> dict:
    """A JSON error with a Chinese detail, an English detail_en and a machine code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    assert body["detail_en"] and body["detail_en"].isascii(), body
    return body


# What the page tests share: a page's HTML, a logged-in client, one table row by its data-*.
def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def row(page: str, attr: str, value) -> str:
    match = re.search(rf'<tr data-{attr}="{value}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row data-{attr}={value}"
    return match.group(1)
