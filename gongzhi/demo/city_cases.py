"""Synthetic cases for a generated city (benchmarks): a ledger of ``months`` months in the
proportions of real practice, written with COPY on PostgreSQL (bulk inserts elsewhere).

Each case is simulated step by step from its report: accepted, dispatched by the routing
rule, started, resolved, rated (or archived unrated), with a share rejected, merged,
escalated to the street or reopened after a 不满意. A step that would fall after ``until``
does not happen, so the open cases are the recent ones and the slow ones, and the overdue
share follows from the delays, not from a quota. Deadlines follow the working-day calendar
exactly as the actions set them. The same seed and ``until`` give the same rows.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction

from gongzhi.accounts.actions import create_organisation
from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases import actions as ca
from gongzhi.cases.catalogue import load_default_categories
from gongzhi.cases.models import Case, CaseEvent, Category, EventKind, RoutingRule
from gongzhi.cases.models import Status as S
from gongzhi.cases.text import terms as split_terms
from gongzhi.core import audit
from gongzhi.core.tree import PATH_STEP, subtree_q
from gongzhi.core.workdays import add_workdays
from gongzhi.demo import names
from gongzhi.demo.bulk import IdPool, RowWriter
from gongzhi.demo.case_texts import CATEGORY_WEIGHTS, TEMPLATES, comment, result_for

H = timedelta(hours=1)
CHUNK = 20_000
SOURCES = {"resident_page": 38, "hotline": 24, "patrol": 15, "door_to_door": 8, "visit": 5,
           "deputy_station": 2, "api": 5, "open311": 3}
# Who gets a category by default (code or group → body): the district's 城管执法局, the
# community's property company, the street's social work centre.
DEPARTMENT = ("environment", "traffic", "public_works", "greenery", "illegal_building",
              "public_safety", "other")
PROPERTY = ("property", "public_works.sewer")
SOCIAL = ("elderly_disabled", "neighbour_dispute")
CASE_COLUMNS = (
    "id", "created_at", "updated_at", "title", "description", "category_id", "source",
    "priority", "status", "area_id", "area_path", "address", "handling_area_id",
    "reporter_name", "reporter_phone", "is_anonymous", "assignee_org_id", "response_due",
    "resolution_due", "accepted_at", "dispatched_at", "responded_at", "resolved_at",
    "archived_at", "result", "rejection_reason", "rating", "rating_comment", "rated_at",
    "reopen_count", "merged_into_id", "need", "cause", "plan", "progress", "outcome", "terms",
    "access_token", "version",
)
EVENT_COLUMNS = ("case_id", "created_at", "kind", "note", "is_internal", "from_status",
                 "to_status", "data")


@dataclass(frozen=True)
class CaseSummary:
    cases: int
    events: int
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Spot:
    """Where a case can be reported: a building (or its compound) and who answers there."""

    area_id: int
    area_path: str
    place: str
    community_id: int
    street_id: int
    district_id: int


@lru_cache(maxsize=8192)
def _due(day, workdays: int) -> datetime:
    return ca.end_of_day(add_workdays(day, workdays))


def _resolution_due(start: datetime, workdays: int) -> datetime:
    return _due(ca.local_day(start), workdays)


def _pick(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _route(code: str) -> str:
    for prefix, body in ((PROPERTY, "property"), (SOCIAL, "social"), (DEPARTMENT, "dept")):
        if code in prefix or code.split(".")[0] in prefix:
            return body
    return "dept"


def _spots(city: AreaNode) -> list[Spot]:
    nodes = AreaNode.objects.filter(subtree_q(city.path), kind__in=(
        AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY)).values_list("path", "pk")
    by_path = dict(nodes)
    compounds = dict(AreaNode.objects.filter(subtree_q(city.path), kind=AreaKind.COMPOUND)
                     .values_list("pk", "name"))
    spots = []
    buildings = (AreaNode.objects.filter(subtree_q(city.path), kind=AreaKind.BUILDING)
                 .order_by("path").values_list("pk", "path", "name", "parent_id"))
    for pk, path, name, compound_id in buildings:
        ids = [by_path[path[:PATH_STEP * depth]] for depth in (4, 3, 2)]
        spots.append(Spot(pk, path, compounds[compound_id] + name, *ids))
    return spots


def _bodies(city: AreaNode, acting_user) -> dict[tuple[str, int], int]:
    """One organisation per district, community and street (made once), keyed by area."""
    bodies = {}
    plan = [(AreaKind.DISTRICT, "dept", OrgKind.DEPARTMENT, "城市管理和综合执法局"),
            (AreaKind.COMMUNITY, "property", OrgKind.PROPERTY, "物业服务有限公司"),
            (AreaKind.STREET, "social", OrgKind.SOCIAL, "社会工作服务中心")]
    existing = dict(Organisation.objects.filter(code__startswith=f"{city.code}-").values_list(
        "code", "pk"))
    for kind, body, org_kind, suffix in plan:
        for area in AreaNode.objects.filter(subtree_q(city.path), kind=kind).order_by("path"):
            code = f"{area.code}-{body.upper()}"
            pk = existing.get(code)
            if pk is None:
                pk = create_organisation(kind=org_kind, code=code, name=area.name + suffix,
                                         areas=[area], acting_user=acting_user).pk
            bodies[(body, area.pk)] = pk
    return bodies


def _routing(categories: list[Category], bodies: dict[tuple[str, int], int]) -> None:
    rules = [RoutingRule(area_id=area_id, category=c, organisation_id=org)
             for c in categories for (body, area_id), org in bodies.items()
             if _route(c.code) == body]
    RoutingRule.objects.bulk_create(rules, ignore_conflicts=True, batch_size=5000)


class _Writer:
    """Turns one simulated case into its row and its timeline rows."""

    def __init__(self, rng: random.Random, until: datetime, start: datetime,
                 categories: list[Category], bodies: dict[tuple[str, int], int]):
        self.rng, self.until, self.start = rng, until, start
        self.span = (until - start).total_seconds()
        self.categories = categories
        self.weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]
        self.bodies = bodies
        self.terms = {}  # template → its words, segmented once
        self.last_id: int | None = None

    def _words(self, title: str, text: str) -> str:
        key = (title, text)
        if key not in self.terms:
            self.terms[key] = " ".join(split_terms(f"{title} {text.replace('{place}', '')}"))
        return self.terms[key]

    def case(self, pk: int, spot: Spot, events: list[tuple]) -> tuple:
        rng = self.rng
        category = rng.choices(self.categories, weights=self.weights)[0]
        title, text = rng.choice(TEMPLATES[category.code])
        priority = "urgent" if rng.random() < 0.05 else "normal"
        created = self.start + timedelta(seconds=rng.random() * self.span)
        source = _pick(rng, SOURCES)
        row = {
            "id": pk, "created_at": created, "title": title, "category_id": None,
            "description": text.format(place=spot.place), "source": source,
            "priority": priority, "status": S.SUBMITTED, "area_id": spot.area_id,
            "area_path": spot.area_path, "address": "", "handling_area_id": spot.community_id,
            "reporter_name": names.person_name(rng, rng.choice("mf"), rng.randint(1940, 2000)),
            "reporter_phone": names.mobile(rng), "is_anonymous": rng.random() < 0.03,
            "assignee_org_id": None, "response_due": created + settings.GONGZHI_RESPONSE_HOURS * H,
            "resolution_due": None, "accepted_at": None, "dispatched_at": None,
            "responded_at": None, "resolved_at": None, "archived_at": None, "result": "",
            "rejection_reason": "", "rating": "", "rating_comment": "", "rated_at": None,
            "reopen_count": 0, "merged_into_id": None, "need": "", "cause": "", "plan": "",
            "progress": "", "outcome": "", "terms": self._words(title, text),
            "access_token": f"{rng.getrandbits(128):032x}",
        }
        first = len(events)
        self._simulate(row, spot, category, events)
        mine = events[first:]
        row["version"], row["updated_at"] = len(mine), mine[-1][1]
        self.last_id = pk
        return tuple(row[c] for c in CASE_COLUMNS)

    def _simulate(self, row: dict, spot: Spot, category: Category,
                  events: list[tuple]) -> None:
        rng = self.rng
        hours, workdays = ca.limits(category, row["priority"])
        t = _Timeline(row, events, self.until)
        late = rng.random() < 0.08  # a slow hand somewhere along the way
        # A few stall for weeks at one step: the backlog a wall chart exists for.
        stall = rng.choice(("dispatch", "start", "resolve")) if rng.random() < 0.02 else ""
        fate = rng.random()
        if fate < 0.035:
            if t.step(EventKind.REJECTED, rng.uniform(0.5, 8), S.REJECTED, note="不属于受理范围"):
                row["rejection_reason"] = "不属于受理范围"
            return
        if fate < 0.055 and self.last_id is not None:
            if t.step(EventKind.MERGED, rng.uniform(1, 30), S.MERGED, {"into": self.last_id}):
                row["merged_into_id"] = self.last_id
            return
        # Accepted, dispatched and answered mostly within the response limit (hours).
        slow = 6 if late else 1
        accepted = t.step(EventKind.ACCEPTED, rng.uniform(0.1, 0.8) * slow,
                          S.ACCEPTED, {"category": category.pk})
        if accepted is None:
            return
        row["category_id"], row["accepted_at"] = category.pk, accepted
        row["response_due"] = row["created_at"] + hours * H
        row["resolution_due"] = _resolution_due(accepted, workdays)
        if fate > 0.96:  # 吹哨: the street takes it over, then dispatches
            if not t.step(EventKind.ESCALATED, rng.uniform(2, 48), S.ESCALATED,
                          {"to_area": spot.street_id}, note="需要街道协调"):
                return
            row["handling_area_id"] = spot.street_id
        body = _route(category.code)
        area = {"dept": spot.district_id, "property": spot.community_id,
                "social": spot.street_id}[body]
        org = self.bodies.get((body, area))
        dispatched = t.step(EventKind.DISPATCHED, rng.uniform(0.05, 0.4) * slow
                            + (rng.uniform(48, 2000) if stall == "dispatch" else 0), S.DISPATCHED,
                            {"to_user": None, "to_org": org})
        if dispatched is None:
            return
        row["assignee_org_id"], row["dispatched_at"] = org, dispatched
        started = t.step(EventKind.STARTED, rng.uniform(0.1, 0.6) * slow
                         + (rng.uniform(48, 2000) if stall == "start" else 0), S.IN_PROGRESS)
        if started is None:
            return
        row["responded_at"] = started
        self._resolve_and_rate(t, category, workdays, late, stall == "resolve")

    def _resolve_and_rate(self, t: "_Timeline", category: Category, workdays: int,
                          late: bool, stalled: bool) -> None:
        rng, row = self.rng, t.row
        for attempt in range(2):
            budget = max((row["resolution_due"] - t.when).total_seconds() / 3600, 4)
            took = budget * rng.uniform(0.05, 0.9) * (2.5 if late else 1) + (
                rng.uniform(200, 3000) if stalled and attempt == 0 else 0)
            result = result_for(rng, category.code)
            resolved = t.step(EventKind.RESOLVED, took, S.RESOLVED, {"photos": 0}, note=result)
            if resolved is None:
                return
            row["result"], row["resolved_at"] = result, resolved
            if rng.random() < 0.08:  # nobody rates: the system archives it after the wait
                archived = t.step(EventKind.ARCHIVED, settings.GONGZHI_RATING_DAYS * 24 + 1,
                                  S.ARCHIVED, {"unrated": True}, note="逾期未评价，自动归档")
                row["archived_at"] = archived
                return
            rating = _pick(rng, {"satisfied": 70, "basic": 22, "unsatisfied": 8})
            if attempt == 1 and rating == "unsatisfied":
                rating = "basic"  # a second 不满意 would go up a level: not simulated here
            text = comment(rng, rating)
            reopen = rating == "unsatisfied"
            rated = t.step(EventKind.RATED, rng.uniform(2, 72),
                           S.IN_PROGRESS if reopen else S.ARCHIVED,
                           {"rating": rating, **({"reopened": True} if reopen else {})},
                           note=text)
            if rated is None:
                return
            row.update(rating=rating, rating_comment=text, rated_at=rated)
            if not reopen:
                row["archived_at"] = rated
                return
            row.update(reopen_count=1, resolved_at=None,
                       resolution_due=_resolution_due(rated, workdays))


class _Timeline:
    """The case's clock: each step happens some hours after the last, unless after ``until``."""

    def __init__(self, row: dict, events: list[tuple], until: datetime):
        self.row, self.events, self.until = row, events, until
        self.when: datetime = row["created_at"]
        events.append((row["id"], self.when, EventKind.SUBMITTED, "", False, "", S.SUBMITTED,
                       {"source": row["source"], "photos": 0}))

    def step(self, kind: str, after_hours: float, to: str, data: dict | None = None,
             note: str = "") -> datetime | None:
        """The moment of the step, or None (and nothing recorded) if it lies ahead of us."""
        moment = self.when + after_hours * H
        if moment > self.until:
            return None
        self.events.append((self.row["id"], moment, kind, note, False, self.row["status"], to,
                            data or {}))
        self.row["status"], self.when = to, moment
        return moment


@transaction.atomic
def generate_cases(*, city: AreaNode, cases: int, seed: int, until: datetime, months: int = 24,
                   acting_user, progress: Callable[[int, int], None] | None = None
                   ) -> CaseSummary:
    """Add ``cases`` cases to the generated ``city``, reported over ``months`` up to ``until``."""
    load_default_categories(acting_user=acting_user)
    categories = [c for c in Category.objects.filter(is_active=True, children=None)
                  .select_related("parent") if c.code in TEMPLATES]
    bodies = _bodies(city, acting_user)
    _routing(categories, bodies)
    spots = _spots(city)
    rng = random.Random(seed)
    writer = _Writer(rng, until, until - timedelta(days=round(months * 30.44)), categories,
                     bodies)
    rows, ids, out = RowWriter(batch_size=10000), IdPool(), 0
    by_status: dict[str, int] = {}
    events_written = 0
    while out < cases:
        n = min(CHUNK, cases - out)
        case_rows, events = [], []
        for pk in ids.take(Case, n):
            case_rows.append(writer.case(pk, rng.choice(spots), events))
        rows.write(Case, CASE_COLUMNS, case_rows)
        rows.write(CaseEvent, EVENT_COLUMNS, events)
        status_at = CASE_COLUMNS.index("status")
        for row in case_rows:
            by_status[row[status_at]] = by_status.get(row[status_at], 0) + 1
        out += n
        events_written += len(events)
        if progress:
            progress(out, cases)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}, {CaseEvent._meta.db_table}")
    audit.record(actor=acting_user, action="demo.generate_cases", obj=city, after={
        "seed": seed, "cases": cases, "events": events_written, "until": until.isoformat(),
        "months": months, "by_status": by_status})
    return CaseSummary(cases=cases, events=events_written, by_status=by_status)
