"""Synthetic cases for a generated city: sound timelines, the actions' deadlines, one seed."""

import hashlib
import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F

from gongzhi.cases import actions as ca
from gongzhi.cases.models import OPEN_STATUSES, Case, CaseEvent, RoutingRule, Status
from gongzhi.cases.routing import responsible_org
from gongzhi.core.models import AuditEvent

UNTIL = datetime(2026, 11, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def make(cases: int = 3000, seed: int = 7) -> str:
    return run("generate_cases", "--city-code", "GEN3", "--cases", str(cases), "--seed",
               str(seed), "--until", UNTIL.isoformat())


def digest() -> str:
    h = hashlib.sha256()
    for row in Case.objects.order_by("created_at", "id").values_list(
            "created_at", "title", "status", "area_id", "category__code", "assignee_org__code",
            "resolution_due", "rating", "reporter_phone", "access_token"):
        h.update(json.dumps(row, default=str, ensure_ascii=False).encode())
    return h.hexdigest()


@pytest.fixture
def city(db):
    run("generate", "--households", "6000", "--seed", "3")


def test_cases_follow_the_loop_and_the_actions_rules(city):
    output = make()
    assert "已生成诉求件 3,000 件" in output
    cases = Case.objects.select_related("category", "area")
    assert cases.count() == 3000
    by_status = dict(cases.values_list("status").annotate(n=Count("pk")))
    assert by_status[Status.ARCHIVED] > 2000
    assert {Status.REJECTED, Status.MERGED, Status.RESOLVED, Status.IN_PROGRESS} <= set(by_status)
    assert not cases.filter(created_at__gt=UNTIL).exists()
    assert not CaseEvent.objects.filter(created_at__gt=UNTIL).exists()
    assert cases.filter(created_at__lt=UNTIL - timedelta(days=700)).exists()
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("case_id", "created_at", "id"):
        events.setdefault(event.case_id, []).append(event)
    for case in cases:
        timeline = events[case.pk]
        assert timeline[0].kind == "submitted" and timeline[0].created_at == case.created_at
        assert [e.from_status for e in timeline[1:]] == [e.to_status for e in timeline[:-1]]
        assert timeline[-1].to_status == case.status and case.version == len(timeline)
        assert case.area_path == case.area.path
        if case.accepted_at is None:
            continue
        hours, workdays = ca.limits(case.category, case.priority)
        assert case.response_due == case.created_at + timedelta(hours=hours)
        if case.reopen_count == 0:
            assert case.resolution_due == ca.resolution_deadline(case.accepted_at, workdays)
        if case.assignee_org_id and case.handling_area.kind == "community":
            assert case.assignee_org == responsible_org(case.area, case.category)
    assert not cases.filter(resolved_at__lt=F("accepted_at")).exists()
    assert not cases.filter(archived_at__lt=F("resolved_at")).exists()
    assert cases.filter(status=Status.ESCALATED).count() + cases.filter(
        handling_area__kind="street").count() > 0
    assert RoutingRule.objects.exists()
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    assert open_cases.filter(resolution_due__lt=UNTIL).exists()  # a backlog, overdue
    assert AuditEvent.objects.filter(action="demo.generate_cases").count() == 1


def test_the_same_seed_and_time_give_the_same_cases(city):
    digests = []
    for _ in range(2):
        with transaction.atomic():
            make(cases=400)
            digests.append(digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    make(cases=400, seed=8)
    assert digest() != digests[0]


def test_more_cases_can_be_added_later(city):
    make(cases=300)
    make(cases=200, seed=9)
    assert Case.objects.count() == 500
    assert Case.objects.values("access_token").distinct().count() == 500


def test_generate_makes_the_city_and_its_cases_at_once(db):
    output = run("generate", "--households", "3000", "--seed", "4", "--cases", "250")
    assert "已生成诉求件 250 件" in output
    assert Case.objects.filter(area_path__startswith=Case.objects.first().area_path[:6]).count() \
        == 250


@pytest.mark.parametrize(("args", "message"), [
    (["--city-code", "NOPE", "--cases", "10"], "没有编码为“NOPE”的城市"),
    (["--city-code", "GEN3", "--cases", "0"], "诉求件数须在 1 到"),
    (["--city-code", "GEN3", "--cases", "10", "--until", "yesterday"], "--until 须为 ISO 时间"),
    (["--city-code", "GEN3", "--cases", "10", "--months", "0"], "月数须在 1 到 120 之间"),
])
def test_bad_arguments_are_refused_and_write_nothing(city, args, message):
    with pytest.raises(CommandError, match=message):
        run("generate_cases", *args)
    assert not Case.objects.exists()
