"""Who the benchmark acts as, and the pages and calls it measures (needs Django set up).

The people are made through the platform's own actions: a community worker, a grid
worker of one of that community's grids, the street's staff and a resident with an API
token, all in the first community of the generated city.
"""

import json
from dataclasses import dataclass

from django.db.models import Count

from gongzhi.accounts.actions import create_api_token, grant_role
from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaKind, AreaNode, Resident
from gongzhi.cases.forms import ORDER_NEW, encode_cursor
from gongzhi.cases.models import Case, Status
from gongzhi.cases.selectors import working_cases
from gongzhi.core.permissions import Role
from gongzhi.core.tree import subtree_q

PASSWORD = "bench-gongzhi-2026"
DEEP_ROWS = 2000  # "a page deep into the ledger": this many rows in (page 41 of 50 rows)


@dataclass
class Cast:
    community: AreaNode
    grid: AreaNode
    street: AreaNode
    building: AreaNode
    users: dict[str, User]
    token: str


def _user(username: str, role: str, area: AreaNode, **extra) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=PASSWORD, **extra)
        grant_role(user=user, role=role, area=area, acting_user=None)
    return user


def make_cast(city_code: str) -> Cast:
    city = AreaNode.objects.get(code=city_code)
    community = (AreaNode.objects.filter(subtree_q(city.path), kind=AreaKind.COMMUNITY)
                 .order_by("path").first())
    grid = (AreaNode.objects.filter(subtree_q(community.path), kind=AreaKind.GRID_SMALL)
            .order_by("path").first())
    street = community.parent
    building = (AreaNode.objects.filter(subtree_q(grid.path), kind=AreaKind.BUILDING)
                .order_by("path").first())
    resident = Resident.objects.filter(household__building=building, is_head=True).first()
    users = {
        "staff": _user("bench_staff", Role.COMMUNITY_STAFF, community),
        "grid": _user("bench_grid", Role.GRID_WORKER, grid),
        "street": _user("bench_street", Role.STREET_STAFF, street),
        "resident": _user("bench_resident", Role.RESIDENT, building, resident=resident),
    }
    _token, key = create_api_token(user=users["resident"], name="bench", acting_user=None)
    return Cast(community, grid, street, building, users, key)


def _deep_cursor(user: User) -> str:
    """The cursor DEEP_ROWS into the user's ledger, or as deep as still leaves a full page
    (a small ledger's "deep" page would otherwise be an empty one)."""
    rows = working_cases(user).order_by("-created_at", "-id")
    depth = max(1, min(DEEP_ROWS, rows.count() - 51))
    return encode_cursor(ORDER_NEW, rows[depth - 1:depth].get())


def _busy_case(cast: Cast) -> Case:
    """A case of the community with a full timeline, as staff open them all day."""
    return (Case.objects.filter(subtree_q(cast.community.path, "area_path"),
                                status=Status.ARCHIVED)
            .annotate(n=Count("events")).order_by("-n", "-created_at").first())


def endpoints(cast: Cast):
    from bench.load import Endpoint

    report = json.dumps({"title": "路灯不亮", "area": cast.building.code,
                         "description": "楼下路灯坏了好几天，晚上很黑 {{n}}"}, ensure_ascii=False)
    bearer = (("Authorization", f"Bearer {cast.token}"), ("Idempotency-Key", "x"))
    # The submissions come last, and run.py removes them after each step: thousands of
    # bench reports in one grid would be measured by every page after them.
    return [
        Endpoint("ledger, first page", "staff", "GET", "/cases/"),
        Endpoint("ledger, up to 2,000 rows deep", "staff", "GET",
                 f"/cases/?cursor={_deep_cursor(cast.users['staff'])}"),
        Endpoint("case page", "staff", "GET", f"/cases/{_busy_case(cast).pk}/"),
        Endpoint("grid wall chart", "grid", "GET", f"/cases/wall/{cast.grid.code}/"),
        Endpoint("community KPI page", "staff", "GET", f"/cases/kpi/{cast.community.code}/"),
        Endpoint("street wall chart", "street", "GET", f"/cases/wall/{cast.street.code}/"),
        Endpoint("street KPI page", "street", "GET", f"/cases/kpi/{cast.street.code}/"),
        Endpoint("Open311 requests list", None, "GET", "/open311/v2/requests.json"),
        Endpoint("community households list", "staff", "GET", f"/areas/{cast.community.code}/"),
        Endpoint("resident submits a case (API)", None, "POST", "/api/cases/", report, bearer),
    ]


def forget_submissions(cast: Cast) -> int:
    """Delete what the benchmark's resident filed (bench data only), so steps compare."""
    from gongzhi.cases.models import CaseEvent

    filed = Case.objects.filter(reporter=cast.users["resident"])
    CaseEvent.objects.filter(case__in=filed).delete()
    return filed.delete()[0]
