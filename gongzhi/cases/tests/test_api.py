"""The case API: intake with idempotency, scoped reads, and every action with its permission."""

import json
from datetime import timedelta

import pytest

from gongzhi.cases import actions
from gongzhi.cases.models import Case, CaseEvent, Source, Status
from gongzhi.cases.tests.api_client import CONFLICT, get, post
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent


def report(**extra) -> dict:
    return {"title": "路灯不亮", "description": "1栋门口路灯坏了一周，晚上很黑",
            "area": "CA-G1-X1-B1", **extra}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.status, case.version, case.category_id, case.assignee_org_id,
            case.handling_area_id, CaseEvent.objects.filter(case=case).count())


# --- intake -------------------------------------------------------------------------------


def test_resident_submits_once_per_idempotency_key(client, ledger):
    first = post(client, ledger.resident, "/api/cases/", report(reporter_phone="13900001111"),
                 **{"Idempotency-Key": "k-123"})
    assert first.status_code == 201, first.content
    body = first.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.source, case.reporter, case.status) == (Source.API, ledger.resident,
                                                         Status.SUBMITTED)
    assert body["area"]["code"] == "CA-G1-X1-B1" and body["handling_area"]["code"] == "CA"
    assert body["reporter_phone"] == "13900001111"  # their own number, unmasked
    assert [e["kind"] for e in body["timeline"]] == ["submitted"]

    again = post(client, ledger.resident, "/api/cases/", report(title="再点一次"),
                 **{"Idempotency-Key": "k-123"})
    assert again.status_code == 200
    assert again.json()["id"] == case.pk and again.json()["title"] == "路灯不亮"
    assert Case.objects.count() == 1

    # Someone else with the same key learns nothing about the case.
    other = post(client, ledger.staff_b, "/api/cases/", report(area="CB-X1-B1"),
                 **{"Idempotency-Key": "k-123"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert "路灯" not in other.content.decode()
    assert Case.objects.count() == 1


def test_staff_enter_hotline_cases_only_where_they_may(client, ledger):
    made = post(client, ledger.worker_a1, "/api/cases/",
                report(source="hotline", reporter_name="王秀英", reporter_phone="13812341234"))
    assert made.status_code == 201, made.content
    case = Case.objects.get(pk=made.json()["id"])
    assert (case.source, case.entered_by, case.reporter) == ("hotline", ledger.worker_a1, None)

    for user, area in ((ledger.worker_a1, "CB-X1-B1"), (ledger.resident, "CA-G1-X1-B1")):
        denied = post(client, user, "/api/cases/", report(source="patrol", area=area))
        assert denied.status_code == 403, (user, denied.content)
        assert denied.json()["code"] == "forbidden" and denied.json()["detail_en"]
    assert Case.objects.count() == 1


def test_bad_reports_change_nothing(client, ledger):
    cases = [
        (report(area="NO-SUCH"), "area"),
        (report(category="no-such"), "category"),
        (report(reporter_phone="abc"), "reporter_phone"),
        (report(title="   "), "title"),
        ({"title": "无位置", "description": "没有区域也没有坐标"}, "area"),
    ]
    for body, field in cases:
        response = post(client, ledger.resident, "/api/cases/", body)
        assert response.status_code == 422, (body, response.content)
        data = response.json()
        assert data["code"] == "invalid" and data["detail"] and data["detail_en"]
        assert data["errors"][0]["loc"] == ["body", field]
    assert post(client, ledger.resident, "/api/cases/", {"title": "缺描述"}).status_code == 422
    assert post(client, ledger.resident, "/api/cases/", report(source="open311")
                ).status_code == 422
    assert not Case.objects.exists()


def test_a_report_by_coordinates_lands_in_the_grid(client, ledger):
    response = post(client, ledger.resident, "/api/cases/",
                    report(area=None, lng=111.015, lat=26.005, category="road"))
    assert response.status_code == 201, response.content
    assert response.json()["area"]["code"] == "CA-G2"
    assert response.json()["category"] == {"code": "road", "name": "道路破损"}


def test_anonymous_callers_get_401(client, ledger):
    response = client.post("/api/cases/", json.dumps(report()), content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert client.get("/api/cases/").status_code == 401
    assert not Case.objects.exists()


# --- reads --------------------------------------------------------------------------------


def test_lists_follow_each_callers_scope(client, ledger):
    mine = ledger.new_case()
    b2 = ledger.new_case(area=ledger.b2, reporter=make_user("neighbour"))
    b3 = ledger.new_case(area=ledger.b3, reporter=make_user("far"))
    expect = {
        ledger.resident: [mine.pk],
        ledger.worker_a1: [mine.pk],
        ledger.worker_a2: [b2.pk],
        ledger.staff_a: [b2.pk, mine.pk],
        ledger.staff_b: [b3.pk],
        ledger.street_staff: [b3.pk, b2.pk, mine.pk],
        ledger.dept_member: [],
    }
    for user, want in expect.items():
        assert ids(get(client, user, "/api/cases/")) == want, user.username
    ledger.advance(b3, "dispatched", to_org=ledger.dept)
    assert ids(get(client, ledger.dept_member, "/api/cases/")) == [b3.pk]


def test_filters_and_keyset_cursor(client, ledger):
    base = ledger.new_case("in_progress", category=ledger.road).created_at
    made = [ledger.new_case(created_at=base - timedelta(days=d)) for d in range(1, 6)]
    light = ledger.new_case("accepted", category=ledger.light, area=ledger.b2)
    Case.objects.filter(pk=light.pk).update(resolution_due=base - timedelta(days=2))
    staff = ledger.staff_a
    assert ids(get(client, staff, "/api/cases/", {"status": "accepted"})) == [light.pk]
    assert len(ids(get(client, staff, "/api/cases/", {"status": "open"}))) == 7
    assert len(ids(get(client, staff, "/api/cases/", {"category": "municipal"}))) == 2
    assert ids(get(client, staff, "/api/cases/", {"category": "street_light"})) == [light.pk]
    assert ids(get(client, staff, "/api/cases/", {"area": "CA-G2"})) == [light.pk]
    # Past its resolution deadline, and the reports nobody accepted within the response hours.
    overdue = ids(get(client, staff, "/api/cases/", {"overdue": "true"}))
    assert overdue == [light.pk] + [c.pk for c in made]
    assert set(ids(get(client, staff, "/api/cases/", {"overdue": "false"}))).isdisjoint(overdue)
    assert get(client, staff, "/api/cases/", {"area": "CB"}).status_code == 404
    assert get(client, staff, "/api/cases/", {"status": "nonsense"}).status_code == 422
    assert get(client, staff, "/api/cases/", {"cursor": "!!"}).json()["code"] == "invalid_cursor"

    everything = ids(get(client, staff, "/api/cases/"))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = get(client, staff, "/api/cases/", params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) == 7
    assert seen[-1] == made[-1].pk  # the oldest last


def test_detail_masks_the_phone_and_hides_internal_notes(client, ledger):
    case = ledger.new_case("in_progress")
    actions.add_note(case=case, note="内部：业主不配合", internal=True, acting_user=ledger.staff_a,
                     five_questions={"cause": "线路老化"})
    url = f"/api/cases/{case.pk}"
    staff = get(client, ledger.staff_a, url).json()
    assert staff["reporter_phone"] == "13900001111" and staff["phone_masked"] is False
    assert "内部：业主不配合" in [e["note"] for e in staff["timeline"]]
    assert staff["five_questions"]["cause"] == "线路老化"
    street = get(client, ledger.street_staff, url).json()
    assert street["reporter_phone"] == "139****1111" and street["phone_masked"] is True
    assert "13900001111" not in get(client, ledger.street_staff, url).content.decode()
    mine = get(client, ledger.resident, url).json()
    assert "内部：业主不配合" not in [e["note"] for e in mine["timeline"]]
    assert mine["five_questions"] is None
    assert [e["kind"] for e in mine["timeline"]] == ["submitted", "accepted", "dispatched",
                                                    "started"]
    for user in (ledger.staff_b, ledger.worker_a2, ledger.other_member):
        response = get(client, user, url)
        assert response.status_code == 404 and response.json()["detail_en"] == "case not found"
    assert get(client, ledger.dept_member, url).status_code == 200  # dispatched to dept
    assert get(client, ledger.staff_a, "/api/cases/999999").status_code == 404


# --- actions ------------------------------------------------------------------------------


def act(client, user, case, action, **body):
    body.setdefault("expected_version", Case.objects.get(pk=case.pk).version)
    return post(client, user, f"/api/cases/{case.pk}/{action}", body)


def test_accept_needs_triage_and_the_current_version(client, ledger):
    case = ledger.new_case()
    before = snapshot(case)
    # The grid worker sees the case but does not triage: 403; the other community: 404.
    assert act(client, ledger.worker_a1, case, "accept", category="road").status_code == 403
    assert act(client, ledger.staff_b, case, "accept", category="road").status_code == 404
    stale = act(client, ledger.staff_a, case, "accept", category="road", expected_version=99)
    assert stale.status_code == 409
    assert {k: stale.json()[k] for k in CONFLICT} == CONFLICT
    bad = act(client, ledger.staff_a, case, "accept", category="nope")
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "category"]
    assert snapshot(case) == before

    done = act(client, ledger.staff_a, case, "accept", category="road", priority="urgent")
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["category"]["code"], body["priority"]) == (
        "accepted", "road", "urgent")
    assert body["version"] == before[1] + 1 and body["resolution_due"]
    # Accepting twice is a conflict, even with the fresh version: the case moved on.
    again = act(client, ledger.staff_a, case, "accept", category="road")
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="cases.accept_case").count() == 1


def test_reject_with_reason(client, ledger):
    case = ledger.new_case()
    assert act(client, ledger.staff_a, case, "reject", reason=" ").status_code == 422
    response = act(client, ledger.staff_a, case, "reject", reason="属于司法程序")
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "属于司法程序"


def test_dispatch_by_routing_to_a_person_or_an_org(client, ledger):
    routed = ledger.new_case("accepted", category=ledger.road)
    response = act(client, ledger.staff_a, routed, "dispatch")
    assert response.status_code == 200, response.content
    assert response.json()["assignee_org"]["code"] == "DEPT-CG"

    person = ledger.new_case("accepted")
    assert act(client, ledger.staff_a, person, "dispatch", to_user="nobody").status_code == 422
    assert act(client, ledger.staff_a, person, "dispatch", to_org="NOPE").status_code == 422
    both = act(client, ledger.staff_a, person, "dispatch", to_user="worker_a1", to_org="DEPT-SZ")
    assert both.status_code == 422
    assert act(client, ledger.worker_a1, person, "dispatch",
               to_user="worker_a1").status_code == 403
    done = act(client, ledger.staff_a, person, "dispatch", to_user="worker_a1")
    assert done.json()["assignee"] == "worker_a1" and done.json()["status"] == "dispatched"


def test_handler_starts_and_resolves_reporter_may_not(client, ledger):
    case = ledger.new_case("dispatched", to_org=ledger.dept)
    assert act(client, ledger.resident, case, "start").status_code == 403
    assert act(client, ledger.other_member, case, "start").status_code == 404
    started = act(client, ledger.dept_member, case, "start", note="已到现场")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    assert started.json()["responded_at"]
    assert act(client, ledger.dept_member, case, "resolve", result="").status_code == 422
    assert act(client, ledger.dept_member, case, "resolve", result="已修复",
               expected_version=1).status_code == 409
    resolved = act(client, ledger.dept_member, case, "resolve", result="已更换灯泡")
    assert resolved.json()["status"] == "resolved" and resolved.json()["result"] == "已更换灯泡"


def test_only_the_reporter_or_the_token_holder_rates(client, ledger):
    case = ledger.new_case("resolved")
    assert act(client, ledger.staff_a, case, "rate", rating="satisfied").status_code == 403
    stranger = make_user("stranger")
    assert act(client, stranger, case, "rate", rating="satisfied").status_code == 404
    assert act(client, ledger.resident, case, "rate", rating="great").status_code == 422
    reopened = act(client, ledger.resident, case, "rate", rating="unsatisfied", comment="没修好")
    assert reopened.json()["status"] == "in_progress" and reopened.json()["reopen_count"] == 1

    other = ledger.new_case("resolved")
    wrong = act(client, stranger, other, "rate", rating="basic", access_token="x" * 32)
    assert wrong.status_code == 404
    token = act(client, stranger, other, "rate", rating="basic", access_token=other.access_token)
    assert token.status_code == 200 and token.json()["status"] == "archived"
    assert token.json()["rating"] == "basic"


def test_escalation_moves_triage_up_a_level(client, ledger):
    case = ledger.new_case("accepted")
    assert act(client, ledger.worker_a1, case, "escalate", reason="需协调").status_code == 403
    up = act(client, ledger.staff_a, case, "escalate", reason="涉及多个部门，需要街道协调")
    assert up.status_code == 200
    assert (up.json()["status"], up.json()["handling_area"]["code"]) == ("escalated", "S")
    # Still visible to the community, but now the street dispatches.
    assert act(client, ledger.staff_a, case, "dispatch", to_org="DEPT-SZ").status_code == 403
    down = act(client, ledger.street_staff, case, "dispatch", to_org="DEPT-SZ")
    assert down.status_code == 200 and down.json()["assignee_org"]["code"] == "DEPT-SZ"


def test_forward_to_another_org(client, ledger):
    case = ledger.new_case("in_progress", to_org=ledger.dept)
    assert act(client, ledger.dept_member, case, "forward", to_org="DEPT-SZ",
               reason=" ").status_code == 422
    assert act(client, ledger.dept_member, case, "forward", to_org="DEPT-CG",
               reason="本单位").status_code == 422
    assert act(client, ledger.resident, case, "forward", to_org="DEPT-SZ",
               reason="换人").status_code == 403
    moved = act(client, ledger.dept_member, case, "forward", to_org="DEPT-SZ",
                reason="属于市政养护范围")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["status"], moved.json()["assignee_org"]["code"]) == (
        "dispatched", "DEPT-SZ")
    # The old handler no longer sees it; the new one does.
    assert get(client, ledger.dept_member, f"/api/cases/{case.pk}").status_code == 404
    assert get(client, ledger.other_member, f"/api/cases/{case.pk}").status_code == 200


@pytest.mark.parametrize("action", ["accept", "dispatch", "start", "resolve", "rate",
                                    "escalate", "forward", "reject"])
def test_every_action_wants_an_expected_version(client, ledger, action):
    case = ledger.new_case()
    response = post(client, ledger.staff_a, f"/api/cases/{case.pk}/{action}", {})
    assert response.status_code == 422
    assert "expected_version" in json.dumps(response.json()["errors"])
    assert snapshot(case)[1] == 1
