"""The case API beyond the main loop: notes and 五问, reclassify, extensions, merge, 附议."""

from datetime import timedelta

from gongzhi.cases.models import Case, CaseEvent, ExtensionRequest, Status, Supporter
from gongzhi.cases.tests.api_client import CONFLICT, get, post
from gongzhi.conftest import make_user


def version(case: Case) -> int:
    case.refresh_from_db()
    return case.version


def test_handler_notes_the_five_questions_hidden_from_the_reporter(client, ledger):
    case = ledger.new_case("in_progress")
    body = {"expected_version": version(case), "note": "已联系物业",
            "five_questions": {"cause": "排水管老化", "plan": "更换管道"}}
    response = post(client, ledger.dept_member, f"/api/cases/{case.pk}/note", body)
    assert response.status_code == 200, response.content
    assert response.json()["five_questions"]["cause"] == "排水管老化"
    case.refresh_from_db()
    assert (case.cause, case.plan, case.need) == ("排水管老化", "更换管道", "")
    mine = get(client, ledger.resident, f"/api/cases/{case.pk}").json()
    assert mine["five_questions"] is None
    assert "已联系物业" not in [e["note"] for e in mine["timeline"]]
    # A public note reaches the reporter's timeline.
    post(client, ledger.dept_member, f"/api/cases/{case.pk}/note",
         {"expected_version": version(case), "note": "明天上门维修", "internal": False})
    mine = get(client, ledger.resident, f"/api/cases/{case.pk}").json()
    assert "明天上门维修" in [e["note"] for e in mine["timeline"]]


def test_note_needs_words_and_a_handler(client, ledger):
    case = ledger.new_case("in_progress")
    empty = post(client, ledger.dept_member, f"/api/cases/{case.pk}/note",
                 {"expected_version": version(case)})
    assert empty.status_code == 422 and empty.json()["errors"][0]["loc"] == ["body", "note"]
    stranger = post(client, ledger.other_member, f"/api/cases/{case.pk}/note",
                    {"expected_version": version(case), "note": "x"})
    assert stranger.status_code == 404  # the other department does not see the case
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


def test_triage_reclassifies_and_the_department_may_not(client, ledger):
    case = ledger.new_case("accepted", category=ledger.road)
    denied = post(client, ledger.worker_a1, f"/api/cases/{case.pk}/reclassify",
                  {"expected_version": version(case), "category": "street_light"})
    assert denied.status_code == 403
    bad = post(client, ledger.staff_a, f"/api/cases/{case.pk}/reclassify",
               {"expected_version": version(case), "category": "nope"})
    assert bad.status_code == 422
    ok = post(client, ledger.staff_a, f"/api/cases/{case.pk}/reclassify",
              {"expected_version": version(case), "category": "street_light"})
    assert ok.status_code == 200 and ok.json()["category"]["code"] == "street_light"


def test_extension_requested_by_the_handler_and_approved_by_triage(client, ledger):
    case = ledger.new_case("in_progress")
    due = case.resolution_due
    url = f"/api/cases/{case.pk}/extension"
    too_long = post(client, ledger.dept_member, url,
                    {"expected_version": version(case), "workdays": 99, "reason": "等配件"})
    assert too_long.status_code == 422
    asked = post(client, ledger.dept_member, url,
                 {"expected_version": version(case), "workdays": 3, "reason": "等配件"})
    assert asked.status_code == 200, asked.content
    pending = asked.json()["pending_extension"]
    assert pending["workdays"] == 3 and pending["reason"] == "等配件"
    again = post(client, ledger.dept_member, url,
                 {"expected_version": version(case), "workdays": 2, "reason": "再等等"})
    assert again.status_code == 422  # one pending request at a time
    not_theirs = post(client, ledger.dept_member, url + "/decide",
                      {"expected_version": version(case), "approve": True})
    assert not_theirs.status_code == 403
    decided = post(client, ledger.staff_a, url + "/decide",
                   {"expected_version": version(case), "approve": True, "note": "同意"})
    assert decided.status_code == 200 and decided.json()["pending_extension"] is None
    case.refresh_from_db()
    assert case.resolution_due > due + timedelta(days=2)
    assert ExtensionRequest.objects.get().status == "approved"
    nothing = post(client, ledger.staff_a, url + "/decide",
                   {"expected_version": version(case), "approve": False})
    assert nothing.status_code == 409  # nothing pending any more


def test_merge_a_duplicate_and_its_reporter_follows(client, ledger):
    survivor = ledger.new_case(title="路灯不亮")
    neighbour = make_user("neighbour")
    duplicate = ledger.new_case(title="路灯坏了", reporter=neighbour)
    stale = post(client, ledger.staff_a, f"/api/cases/{duplicate.pk}/merge",
                 {"expected_version": version(duplicate) + 1, "into": survivor.pk})
    assert stale.status_code == 409 and stale.json()["code"] == CONFLICT["code"]
    hidden = ledger.new_case(area=ledger.b3)
    outside = post(client, ledger.staff_a, f"/api/cases/{duplicate.pk}/merge",
                   {"expected_version": version(duplicate), "into": hidden.pk})
    assert outside.status_code == 422  # community B's case is not staff A's to see
    merged = post(client, ledger.staff_a, f"/api/cases/{duplicate.pk}/merge",
                  {"expected_version": version(duplicate), "into": survivor.pk})
    assert merged.status_code == 200, merged.content
    assert merged.json()["status"] == Status.MERGED and merged.json()["merged_into"] == survivor.pk
    assert Supporter.objects.filter(case=survivor, user=neighbour).exists()
    assert get(client, neighbour, f"/api/cases/{survivor.pk}").status_code == 200


def test_me_too_from_nearby_only_once_and_never_on_a_closed_case(client, ledger):
    case = ledger.new_case(title="路灯不亮")
    neighbour = make_user("neighbour")
    url = f"/api/cases/{case.pk}/support"
    assert get(client, neighbour, f"/api/cases/{case.pk}").status_code == 404
    far = post(client, neighbour, url, {"area": ledger.b3.code})
    assert far.status_code == 404  # from another community the case is not offered
    near = post(client, neighbour, url, {"area": ledger.b1.code})
    assert near.status_code == 200, near.content
    assert near.json()["reporter_phone"] != "13900001111"  # a supporter sees it masked
    post(client, neighbour, url, {"area": ledger.b1.code})
    assert Supporter.objects.filter(case=case).count() == 1
    done = ledger.new_case("archived")
    closed = post(client, make_user("late"), f"/api/cases/{done.pk}/support",
                  {"area": ledger.b1.code})
    assert closed.status_code == 409
