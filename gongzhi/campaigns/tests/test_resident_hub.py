"""文明创建 for residents: one menu entry (one query) that leads to the hub of the parts they
take part in — conventions to sign, their household's stars, partner posts or partnership,
and the 最美 selections."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.panels import something_near
from gongzhi.campaigns.tests.fixtures_stars import evidence_for

pytestmark = pytest.mark.django_db
HOME = "/campaigns/"


def parts(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('id="parts"')[1].split("</ul>")[0] if 'id="parts"' in page else ""


def test_nothing_near_means_no_entry_and_one_query(street):
    with CaptureQueriesContext(connection) as ctx:
        assert something_near(street.resident) is False
    # the shared read of my home, then one query for all four parts
    assert len([q for q in ctx.captured_queries if "EXISTS" in q["sql"].upper()]) == 1


def test_a_published_convention_asks_my_household_to_sign(client, conventions):
    n = conventions
    assert something_near(n.conv_r1)
    hub = parts(client, n.conv_r1)
    assert 'data-part="convention"' in hub and n.published.title in hub and "阅读并签署" in hub
    ca.sign_convention(convention=n.published, acting_user=n.conv_r1)
    hub = parts(client, n.conv_r1)
    assert n.published.title not in hub and "您家已签署" in hub
    assert not something_near(n.conv_r4)  # community B: nothing published there


def test_confirmed_stars_show_with_their_year(client, stars):
    n = stars
    year = timezone.localdate().year
    draft = ca.assess_household(household=n.h1, year=year,
                                awards=evidence_for(n.criteria, 7), acting_user=n.head_b1)
    assert 'data-part="stars"' not in parts(client, n.wang)
    ca.confirm_assessment(assessment=draft, acting_user=n.staff_a)
    hub = parts(client, n.wang)
    assert 'data-part="stars"' in hub and f"{year}年度 7★" in hub


def test_partner_posts_then_my_partnership(client, partners):
    n = partners
    hub = parts(client, n.p_resident1)
    assert "2 个网格正在招募合伙人" in hub and "/campaigns/partners/" in hub
    ca.apply_as_partner(post=n.post1, kind="resident", motivation="退休教师，时间充裕",
                        acting_user=n.p_resident1)
    for post in (n.post1, n.post2):
        ca.close_partner_post(post=post, acting_user=n.staff_a)
    hub = parts(client, n.p_resident1)
    assert "我的网格合伙人" in hub and "/campaigns/partners/mine/" in hub
    assert something_near(n.p_resident1)  # applied: still near, posts closed or not
    assert not something_near(n.p_resident4)
