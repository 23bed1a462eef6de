"""The demo's cases: every state and source, real deadlines, the same on every load, once."""

import hashlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.campaigns.models import PatrolTask
from gongzhi.cases.actions import limits, resolution_deadline
from gongzhi.cases.models import (
    Case,
    CaseEvent,
    EventKind,
    ExtensionRequest,
    Rating,
    RoutingRule,
    Source,
    Status,
    Supporter,
)
from gongzhi.cases.selectors import deadline_q
from gongzhi.core.models import AuditEvent
from gongzhi.demo.actions import load_demo
from gongzhi.demo.cases import N_CASES, load_demo_cases
from gongzhi.demo.logins import ORG_PREFIX
from gongzhi.renewal.models import Inspection


def digest() -> str:
    """SHA-256 over what the cases say and the order of their steps (times left out)."""
    h = hashlib.sha256()
    rows = Case.objects.order_by("created_at", "title", "area__path").values_list(
        "title", "description", "source", "status", "priority", "area__code", "category__code",
        "handling_area__code", "assignee__username", "assignee_org__code", "reporter_name",
        "reporter_phone", "is_anonymous", "rating", "reopen_count", "result",
        "rejection_reason", "merged_into__title", "version")
    events = CaseEvent.objects.order_by("case__created_at", "case__title", "id").values_list(
        "case__title", "kind", "from_status", "to_status", "actor__username", "note")
    for row in [*rows, *events]:
        h.update(json.dumps(row, ensure_ascii=False).encode())
    return h.hexdigest()


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Case, CaseEvent, AuditEvent, RoutingRule,
                                             Supporter, ExtensionRequest))


def test_no_demo_street_no_cases(db):
    assert load_demo_cases(acting_user=None) == 0
    assert not Case.objects.exists()


def test_a_setting_of_zero_loads_nothing(db, settings):
    load_demo(acting_user=None)
    settings.GONGZHI_DEMO_CASES = 0
    before = counts()
    assert load_demo_cases(acting_user=None) == 0
    assert counts() == before and not RoutingRule.objects.exists()


@pytest.mark.django_db
def test_setup_demo_fills_the_ledger_in_every_state_once():
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert f"已载入演示诉求件 {N_CASES} 件" in out.getvalue()
    # The ledger the cases loader wrote; the renewal demo's supervisor adds one of their own,
    # and a grid partner one found on patrol (campaigns).
    cases = (Case.objects.exclude(pk__in=Inspection.objects.exclude(case=None).values("case"))
             .exclude(pk__in=PatrolTask.objects.exclude(case=None).values("case")))
    assert cases.count() == N_CASES
    by_status = {s: cases.filter(status=s).count() for s in Status.values}
    assert all(n > 0 for n in by_status.values()), by_status
    assert set(cases.values_list("source", flat=True)) == set(Source.values)
    now = timezone.now()
    assert cases.filter(deadline_q("overdue", now)).count() >= 5
    assert cases.filter(deadline_q("on_time", now)).exists()

    # Closed the loop every way: rated three ways, reopened, archived unrated, escalated.
    archived = cases.filter(status=Status.ARCHIVED)
    assert {Rating.SATISFIED, Rating.BASIC} <= set(archived.values_list("rating", flat=True))
    assert cases.filter(rating=Rating.UNSATISFIED).exists()
    assert archived.filter(reopen_count=1).exists()
    assert archived.filter(rating="", events__data__unrated=True).exists()
    assert not cases.filter(status=Status.MERGED, merged_into__isnull=True).exists()
    assert cases.filter(status=Status.ESCALATED, handling_area__kind="street").exists()
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {EventKind.FORWARDED, EventKind.ESCALATED, EventKind.SUPPORTED, EventKind.NOTE,
            EventKind.EXTENSION_DECIDED, EventKind.MERGED, EventKind.REJECTED} <= kinds
    orgs = set(cases.exclude(assignee_org=None).values_list("assignee_org__code", flat=True))
    assert {f"{ORG_PREFIX}-CGJ", f"{ORG_PREFIX}-WY-TL"} <= orgs
    assert cases.filter(assignee__username__startswith="grid_").exists()
    assert cases.filter(reporter__username="resident").count() >= 5
    assert RoutingRule.objects.exists()

    # Spread over six months, every step in the past and in order.
    assert not cases.filter(created_at__gt=now).exists()
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()
    assert not cases.filter(created_at__lt=now - timedelta(days=185)).exists()
    months = {timezone.localtime(c).strftime("%Y%m") for c in cases.values_list(
        "created_at", flat=True)}
    assert len(months) >= 6
    assert not cases.filter(accepted_at__lt=F("created_at")).exists()
    assert not cases.filter(resolved_at__lt=F("accepted_at")).exists()
    assert not cases.filter(archived_at__lt=F("resolved_at")).exists()
    submitted = CaseEvent.objects.filter(kind=EventKind.SUBMITTED, case__in=cases)
    assert not submitted.exclude(created_at=F("case__created_at")).exists()
    # Deadlines follow the working-day calendar from the moment of acceptance.
    plain = cases.filter(accepted_at__isnull=False, reopen_count=0, extensions=None)
    for case in plain.select_related("category")[:60]:
        workdays = limits(case.category, case.priority)[1]
        assert case.resolution_due == resolution_deadline(case.accepted_at, workdays)
        assert case.response_due == case.created_at + timedelta(
            hours=limits(case.category, case.priority)[0])
    assert AuditEvent.objects.filter(action="demo.load_cases").count() == 1

    before = counts()
    again = StringIO()
    call_command("setup_demo", stdout=again)
    assert "演示诉求件" not in again.getvalue()
    assert load_demo_cases(acting_user=None) == 0
    assert counts() == before


@pytest.mark.django_db
def test_the_demo_cases_are_the_same_on_every_load():
    digests = []
    for _ in range(2):
        with transaction.atomic():
            load_demo(acting_user=None)
            assert load_demo_cases(acting_user=None, count=80) == 80
            digests.append(digest())
            transaction.set_rollback(True)
        assert not Case.objects.exists()
    assert digests[0] == digests[1]
