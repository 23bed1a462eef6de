import re
import socket
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F

from gongzhi.accounts.models import Membership, Organisation, OrgKind, RoleGrant, User
from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode, Household, Resident
from gongzhi.core.models import AuditEvent
from gongzhi.core.permissions import Perm, Role, can, roles
from gongzhi.core.tree import subtree_q
from gongzhi.demo.logins import DEMO_PASSWORD, usernames
from gongzhi.demo.street import STREET_CODE
from gongzhi.demo.tests.helpers import digest


def setup_demo() -> str:
    out = StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (AreaNode, Household, Resident, User, RoleGrant, Organisation, Membership,
              AuditEvent)
    return {m.__name__: m.objects.count() for m in models}


def login_rows(output: str) -> list[list[str]]:
    """The rows of the printed login table (cells are separated by two or more spaces)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("角色"))
    return [re.split(r"\s{2,}", line.strip(), maxsplit=4) for line in lines[start + 1:] if line]


@pytest.mark.django_db
def test_setup_demo_builds_the_promised_street_once():
    output = setup_demo()
    street = AreaNode.objects.get(code=STREET_CODE)
    assert [a.name for a in street.ancestors()] == ["永州市", "冷水滩区", "梅湾街道"]
    communities = list(street.children.filter(kind=AreaKind.COMMUNITY))
    assert len(communities) == 3
    hlj = next(c for c in communities if c.name == "活龙井社区")
    large = hlj.children.filter(kind=AreaKind.GRID_LARGE)
    small = AreaNode.objects.filter(parent__in=large, kind=AreaKind.GRID_SMALL)
    assert large.count() == 6 and small.count() == 17

    below = AreaNode.objects.filter(subtree_q(street.path))
    buildings = below.filter(kind=AreaKind.BUILDING)
    assert 180 <= buildings.count() <= 230
    assert not buildings.filter(floors__isnull=True).exists()
    compounds = below.filter(kind=AreaKind.COMPOUND)
    assert compounds.filter(built_year__lt=2000).count() > compounds.count() / 2
    households = Household.objects.filter(subtree_q(street.path, "area_path"))
    assert 4500 <= households.count() <= 5600
    assert not households.exclude(area_path=F("building__path")).exists()
    areas = list(households.values_list("floor_area", flat=True))
    assert all(isinstance(a, Decimal) and Decimal("40") <= a <= Decimal("150") for a in areas)
    sizes = households.annotate(n=Count("residents")).values_list("n", "member_count", "tenure")
    assert all(n == members and n <= 4 and (n >= 1 or tenure == "vacant")
               for n, members, tenure in sizes)
    tags = {t for ts in Resident.objects.values_list("tags", flat=True) for t in ts}
    assert {"elderly_alone", "party_member", "disability"} <= tags
    for grid in below.filter(kind__in=[AreaKind.COMMUNITY, *GRID_KINDS]):
        assert grid.boundary and grid.min_lng < grid.max_lng and grid.min_lat < grid.max_lat
        assert 111.5 < grid.min_lng < 111.7 and 26.3 < grid.min_lat < 26.5
    def area(n):
        return (n.max_lng - n.min_lng) * (n.max_lat - n.min_lat)

    for parent in [street, *communities, *large]:
        grids = [g for g in parent.children.all() if g.boundary and g.kind != AreaKind.COMPOUND]
        assert grids and sum(area(g) for g in grids) == pytest.approx(area(parent), rel=1e-6)
        assert all(parent.min_lng <= g.min_lng and g.max_lng <= parent.max_lng
                   and parent.min_lat <= g.min_lat and g.max_lat <= parent.max_lat
                   for g in grids)
    assert AuditEvent.objects.filter(action="demo.load").count() == 1
    assert AuditEvent.objects.filter(action__startswith="areas.").count() == 0

    before = counts()
    again = setup_demo()
    assert counts() == before
    assert "已存在" in again and "已载入" in output
    assert login_rows(again) == login_rows(output)


def _grant(username: str) -> RoleGrant:
    return RoleGrant.objects.select_related("area").get(user__username=username)


@pytest.mark.django_db
def test_every_role_has_a_login_on_the_right_node():
    setup_demo()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert (_grant("admin").role, _grant("admin").area.kind) == (Role.ADMIN, AreaKind.CITY)
    expected = {"district": (Role.DISTRICT_STAFF, AreaKind.DISTRICT),
                "street": (Role.STREET_STAFF, AreaKind.STREET)}
    for username, (role, kind) in expected.items():
        grant = _grant(username)
        assert (grant.role, grant.area.kind) == (role, kind)
    staff = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF)
    assert sorted(g.area.name for g in staff) == ["活龙井社区", "滨江社区", "铁路新村社区"]
    workers = RoleGrant.objects.filter(role=Role.GRID_WORKER).select_related("area__parent")
    hlj_workers = [g for g in workers if g.area.code.startswith(f"{STREET_CODE}-HLJ-")]
    assert len(hlj_workers) == 17
    assert all(g.area.kind == AreaKind.GRID_SMALL for g in hlj_workers)
    others = [g for g in workers if g not in hlj_workers]
    assert others and all(g.area.kind == AreaKind.GRID_LARGE for g in others)
    assert len({g.area_id for g in workers}) == len(workers)  # one worker per grid
    heads = RoleGrant.objects.filter(role=Role.BUILDING_HEAD)
    assert heads.exists() and all(g.area.kind == AreaKind.BUILDING for g in heads)

    resident_user = User.objects.select_related("resident__household").get(username="resident")
    grant = _grant("resident")
    assert grant.role == Role.RESIDENT
    assert resident_user.resident.household.building_id == grant.area_id
    assert resident_user.phone == resident_user.resident.phone
    assert can(resident_user, Perm.VIEW_PERSONAL_DATA, resident_user.resident.household)

    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == set(OrgKind.values)
    # Every organisation with a login; the 门前三包 shop register (campaigns) lists shops
    # whose owners have no account yet.
    for org in Organisation.objects.filter(shop__isnull=True):
        assert org.areas.exists() and org.members.exists()
        assert Role.ORG_MEMBER in roles(org.members.first())

    # Scopes really differ: a grid worker sees their grid, not the neighbouring one.
    worker = User.objects.get(username="grid_hlj_1_1")
    own, other = _grant("grid_hlj_1_1").area, _grant("grid_hlj_1_2").area
    assert can(worker, Perm.VIEW_PERSONAL_DATA, own)
    assert not can(worker, Perm.VIEW_PERSONAL_DATA, other)


@pytest.mark.django_db
def test_every_printed_login_authenticates_by_username_and_by_phone():
    rows = login_rows(setup_demo())
    assert [row[1] for row in rows] == usernames()
    assert {row[0] for row in rows} >= {str(r.label) for r in Role if r != Role.ORG_MEMBER}
    assert len({row[2] for row in rows}) == len(rows)  # phones are unique
    for _role, username, phone, password, sees in rows:
        assert password == DEMO_PASSWORD and sees
        user = authenticate(None, username=username, password=password)
        assert user is not None and user.username == username
        assert authenticate(None, username=phone, password=password) == user
    assert authenticate(None, username="admin", password="wrong-password") is None


@pytest.mark.django_db
def test_the_demo_is_the_same_on_every_load():
    digests, samples = [], []
    for _ in range(2):
        with transaction.atomic():
            setup_demo()
            street = AreaNode.objects.get(code=STREET_CODE)
            digests.append(digest(street))
            resident = User.objects.get(username="resident").resident
            samples.append((str(resident.household), resident.name, resident.id_number,
                            list(resident.household.residents.values_list("name", "phone"))))
            transaction.set_rollback(True)
        assert not AreaNode.objects.exists()
    assert digests[0] == digests[1]
    assert samples[0] == samples[1]


@pytest.mark.django_db
def test_conflicting_data_stops_the_load_and_changes_nothing():
    User.objects.create_user(username="admin", password="x-1234-word")
    before = counts()
    with pytest.raises(CommandError, match="admin"):
        setup_demo()
    assert counts() == before


@pytest.mark.django_db
def test_demo_command_loads_then_execs_the_server(monkeypatch, tmp_path, settings):
    from gongzhi.core.management.commands import serve

    settings.STATIC_ROOT = tmp_path / "static"
    calls = []

    def fake_exec(path, argv, env):
        calls.append((path, argv, env))
        raise SystemExit(0)

    monkeypatch.setattr(serve.os, "execvpe", fake_exec)
    # The real exec replaces the process; here the test's connection must stay open.
    monkeypatch.setattr(serve.connections, "close_all", lambda: None)
    out = StringIO()
    with socket.socket() as sock:  # a free port: the demo refuses a busy one
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SystemExit):
        # The worker is a real process (test_serve starts one): not here, on the test database.
        call_command("demo", "--port", str(port), "--workers", "2", "--threads", "3",
                     "--no-worker", stdout=out)
    assert AreaNode.objects.filter(code=STREET_CODE).exists()
    assert "admin" in out.getvalue() and f"http://127.0.0.1:{port}/" in out.getvalue()
    (path, argv, env), = calls
    assert argv[1:4] == ["-m", "granian", "--interface"]
    assert argv[argv.index("--port") + 1] == str(port)
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--workers") + 1] == "2"
    assert argv[argv.index("--blocking-threads") + 1] == "3"
    assert env["GONGZHI_DATA_DIR"] == str(settings.DATA_DIR)
    assert (tmp_path / "static" / "admin" / "css" / "base.css").exists()


@pytest.mark.parametrize(("option", "message"), [
    (["--port", "0"], "端口须在 1 到 65535 之间"),
    (["--workers", "0"], "工作进程数至少为 1"),
    (["--threads", "0"], "每个进程的线程数须在 1 到 64 之间"),
])
def test_serve_refuses_impossible_settings(option, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", *option)
