"""Shared fixtures: a small street with two communities and users in every role."""

import os
import shutil
from decimal import Decimal
from types import SimpleNamespace

import pytest

from gongzhi.accounts.actions import add_member, create_organisation, grant_role
from gongzhi.accounts.models import OrgKind, User
from gongzhi.areas.actions import add_resident, create_area, create_household
from gongzhi.areas.models import AreaKind
from gongzhi.core.permissions import Role


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_user(username: str, *, phone: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password="pass-1234-word", phone=phone,
                                    **extra)
    return user


@pytest.fixture
def street(db):
    """City › district › street › two communities; community A has two grids.

    Grid A1 holds compound C1 with building B1 (two households); grid A2 holds building B2.
    Community B has building B3. Users: one per role, scoped as their names say.
    """
    n = SimpleNamespace()
    mk = create_area
    n.city = mk(kind=AreaKind.CITY, code="C", name="示范市", parent=None, acting_user=None)
    n.district = mk(kind=AreaKind.DISTRICT, code="D", name="示范区", parent=n.city,
                    acting_user=None)
    n.street = mk(kind=AreaKind.STREET, code="S", name="幸福街道", parent=n.district,
                  acting_user=None)
    n.comm_a = mk(kind=AreaKind.COMMUNITY, code="CA", name="活龙社区", parent=n.street,
                  acting_user=None, boundary=square(111.0, 26.0, 0.02))
    n.comm_b = mk(kind=AreaKind.COMMUNITY, code="CB", name="德鑫社区", parent=n.street,
                  acting_user=None, boundary=square(111.1, 26.0, 0.02))
    n.grid_a1 = mk(kind=AreaKind.GRID_LARGE, code="CA-G1", name="第一网格", parent=n.comm_a,
                   acting_user=None, boundary=square(111.0, 26.0))
    n.grid_a2 = mk(kind=AreaKind.GRID_LARGE, code="CA-G2", name="第二网格", parent=n.comm_a,
                   acting_user=None, boundary=square(111.01, 26.0))
    n.compound = mk(kind=AreaKind.COMPOUND, code="CA-G1-X1", name="铁路小区", parent=n.grid_a1,
                    acting_user=None)
    n.b1 = mk(kind=AreaKind.BUILDING, code="CA-G1-X1-B1", name="1栋", parent=n.compound,
              acting_user=None, floors=6)
    compound2 = mk(kind=AreaKind.COMPOUND, code="CA-G2-X1", name="机务小区", parent=n.grid_a2,
                   acting_user=None)
    n.b2 = mk(kind=AreaKind.BUILDING, code="CA-G2-X1-B1", name="1栋", parent=compound2,
              acting_user=None)
    compound3 = mk(kind=AreaKind.COMPOUND, code="CB-X1", name="德鑫小区", parent=n.comm_b,
                   acting_user=None)
    n.b3 = mk(kind=AreaKind.BUILDING, code="CB-X1-B1", name="1栋", parent=compound3,
              acting_user=None)
    n.h1 = create_household(building=n.b1, unit="1", room="101", floor=1,
                            floor_area=Decimal("88.50"), acting_user=None)
    n.h2 = create_household(building=n.b1, unit="1", room="201", floor=2,
                            floor_area=Decimal("92.00"), acting_user=None)
    n.h3 = create_household(building=n.b2, unit="", room="301", floor=3,
                            floor_area=Decimal("70.00"), acting_user=None)
    n.h4 = create_household(building=n.b3, unit="2", room="502", floor=5,
                            floor_area=Decimal("101.25"), acting_user=None)
    n.r1 = add_resident(household=n.h1, name="王秀英", phone="13812341234", is_head=True,
                        id_number="110105194901011235", tags=["elderly_alone"], acting_user=None)
    n.r2 = add_resident(household=n.h2, name="李建国", phone="13900001111", is_head=True,
                        acting_user=None)
    n.r3 = add_resident(household=n.h3, name="张伟", phone="13700002222", is_head=True,
                        acting_user=None)
    n.r4 = add_resident(household=n.h4, name="刘芳", phone="13600003333", is_head=True,
                        acting_user=None)

    def role_user(username, role, area, **extra):
        user = make_user(username, **extra)
        grant_role(user=user, role=role, area=area, acting_user=None)
        return user

    n.admin = role_user("admin", Role.ADMIN, n.city)
    n.district_staff = role_user("district", Role.DISTRICT_STAFF, n.district)
    n.street_staff = role_user("street", Role.STREET_STAFF, n.street)
    n.staff_a = role_user("staff_a", Role.COMMUNITY_STAFF, n.comm_a, phone="13000000001")
    n.staff_b = role_user("staff_b", Role.COMMUNITY_STAFF, n.comm_b)
    n.worker_a1 = role_user("worker_a1", Role.GRID_WORKER, n.grid_a1, phone="13000000002")
    n.worker_a2 = role_user("worker_a2", Role.GRID_WORKER, n.grid_a2)
    n.head_b1 = role_user("head_b1", Role.BUILDING_HEAD, n.b1)
    n.resident = role_user("resident", Role.RESIDENT, n.b1, resident=n.r2, phone="13900001111")
    n.property_co = create_organisation(kind=OrgKind.PROPERTY, code="P1", name="铁路物业",
                                        areas=[n.compound], acting_user=None)
    n.property_member = make_user("property")
    add_member(organisation=n.property_co, user=n.property_member, acting_user=None)
    return n


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; required in CI, skipped (and said so) elsewhere."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} "
                    "(apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # argon2 is deliberately slow; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every request renews the session, so a page's query count does not depend on how
    # long ago the last one was (test_session checks the real once-a-minute renewal).
    settings.GONGZHI_SESSION_TOUCH_SECONDS = 0


def pytest_collection_modifyitems(config, items):
    """Concurrency tests run where locking is real: PostgreSQL (the CI runs both)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="row locks and concurrency are tested on PostgreSQL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
