"""The campaigns API, called with API tokens: the selections near me or that I run, one
with its ballot, my votes and votes left; nominating (422 for bad input, nothing written);
voting once a nominee and up to the limit (409), refused after the close (422); the staff's
review; the honour roll after a full selection; refusals as bilingual JSON."""


import pytest
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Nomination, NominationStatus, Stage, Vote
from gongzhi.campaigns.tests.conftest import Caller, assert_error, end_voting, new_selection

pytestmark = pytest.mark.django_db
API = "/api/campaigns"


@pytest.fixture
def call(client):
    return Caller(client)


def field_errors(body: dict) -> dict:
    return {tuple(e["loc"]): e["msg"] for e in body["errors"]}


def ballot(body: dict) -> dict:
    """Category name → [(nominee, votes, voted)] in ballot order."""
    return {c["name"]: [(x["nominee"], x["votes"], x["voted"]) for x in c["nominations"]]
            for c in body["categories"]}


# --- selections -------------------------------------------------------------------------------


def test_the_list_holds_the_selections_near_me(call, campaigns):
    n = campaigns
    draft = new_selection(n, "2026年活龙社区最美志愿者评选")
    body = call.get(n.resident, f"{API}/selections").json()
    assert body["count"] == 2 and body["limit"] == 20 and body["offset"] == 0
    rows = {r["id"]: r for r in body["items"]}
    assert set(rows) == {n.nominating.pk, n.voting.pk}  # not the draft
    row = rows[n.voting.pk]
    assert row["title"] == "2026年活龙社区最美家庭评选" and row["stage"] == "voting"
    assert row["stage_label"] == "群众投票" and row["year"] == timezone.now().year
    assert row["area"] == {"code": "CA", "name": "活龙社区"}
    assert row["votes_per_category"] == 2 and row["organising"] is False
    assert row["nominations_close"] and row["voting_closes"]
    voting = call.get(n.resident, f"{API}/selections", {"stage": "voting"}).json()
    assert [r["id"] for r in voting["items"]] == [n.voting.pk]
    page = call.get(n.resident, f"{API}/selections", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["id"] in rows

    assert call.get(n.resident4, f"{API}/selections").json()["count"] == 0
    staff = call.get(n.staff_a, f"{API}/selections").json()
    assert {r["id"] for r in staff["items"]} == {draft.pk, n.nominating.pk, n.voting.pk}
    assert all(r["organising"] for r in staff["items"])
    assert call.get(n.staff_b, f"{API}/selections").json()["count"] == 0
    assert_error(call.get(n.resident, f"{API}/selections", {"stage": "done"}), 422, "invalid")


def test_the_detail_has_the_ballot_my_votes_and_votes_left(call, campaigns):
    n = campaigns
    ca.cast_vote(nomination=n.li, acting_user=n.resident)
    ca.cast_vote(nomination=n.li, acting_user=n.resident1)
    ca.cast_vote(nomination=n.unit1, acting_user=n.resident1)
    response = call.get(n.resident, f"{API}/selections/{n.voting.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rules"].startswith("热心公益") and body["may_vote"] and not body["may_nominate"]
    assert body["notice"] is None and body["announced_at"] is None
    # On the ballot: what passed review (not the refused one), most votes first.
    assert ballot(body) == {
        "最美家庭": [("李建国家庭", 2, True), ("王秀英家庭", 0, False), ("张伟家庭", 0, False)],
        "最美楼道": [("1栋1单元", 1, False)]}
    family = body["categories"][0]
    assert family["id"] == n.v_family.pk and family["places"] == 2
    assert {c["name"]: c["votes_left"] for c in body["categories"]} == {"最美家庭": 1,
                                                                         "最美楼道": 2}
    assert body["my_votes"] == [n.li.pk]
    wang = next(x for x in family["nominations"] if x["id"] == n.wang.pk)
    assert wang["place"] == {"code": "CA-G1-X1-B1", "name": "1栋"}
    assert wang["source"] == "self" and wang["status"] == "passed"
    assert wang["story"] == "照顾独居邻居十年"
    # My own nominations, the refused one with its reason.
    mine = {x["nominee"]: (x["status"], x["refusal_reason"]) for x in body["my_nominations"]}
    assert mine == {"1栋1单元": ("passed", ""), "无关人员": ("refused", "不符合评选条件")}


def test_no_vote_counts_before_the_vote_opens(call, campaigns):
    n = campaigns
    ca.nominate(category=n.family, nominee="周阿姨", area=n.b2, story="义务打扫楼道",
                acting_user=n.staff_a)  # staff nominations pass at once
    body = call.get(n.resident, f"{API}/selections/{n.nominating.pk}").json()
    assert body["stage"] == "nominating" and body["may_nominate"] and not body["may_vote"]
    assert ballot(body) == {"最美家庭": [("周阿姨", None, False)], "最美楼道": []}
    assert body["my_votes"] == [] and body["my_nominations"] == []


def test_a_selection_of_another_community_is_404(call, campaigns):
    n = campaigns
    body = assert_error(call.get(n.resident4, f"{API}/selections/{n.voting.pk}"), 404,
                        "not_found")
    assert body["detail_en"] == "selection not found" and body["detail"] == "未找到该评选"
    assert_error(call.get(n.staff_b, f"{API}/selections/{n.voting.pk}"), 404, "not_found")
    assert_error(call.get(n.resident, f"{API}/selections/999999"), 404, "not_found")
    draft = new_selection(n, "筹备中的评选")
    assert_error(call.get(n.resident, f"{API}/selections/{draft.pk}"), 404, "not_found")
    assert call.get(n.staff_a, f"{API}/selections/{draft.pk}").json()["stage"] == "draft"


def test_the_api_needs_a_login(client, campaigns):
    n = campaigns
    for url in [f"{API}/selections", f"{API}/selections/{n.voting.pk}", f"{API}/honour/CA"]:
        assert_error(client.get(url), 401, "not_authenticated")
    for url in [f"{API}/selections/{n.nominating.pk}/nominations",
                f"{API}/nominations/{n.wang.pk}/vote", f"{API}/nominations/{n.wang.pk}/review"]:
        assert_error(client.post(url, "{}", content_type="application/json"), 401,
                     "not_authenticated")
    assert_error(client.get(f"{API}/selections", HTTP_AUTHORIZATION="Bearer gz_wrong"), 401,
                 "not_authenticated")
    assert not Vote.objects.filter(nomination=n.wang).exists()


# --- votes ------------------------------------------------------------------------------------


def test_a_resident_votes_once_a_nominee_and_up_to_the_limit(call, campaigns):
    n = campaigns
    response = call.post(n.resident, f"{API}/nominations/{n.wang.pk}/vote")
    assert response.status_code == 201, response.content
    assert response.json() == {"nomination": n.wang.pk, "category": n.v_family.pk, "slot": 1,
                               "votes_left": 1}
    again = assert_error(call.post(n.resident, f"{API}/nominations/{n.wang.pk}/vote"), 409,
                         "already_voted")
    assert "王秀英家庭" in again["detail"]
    assert again["detail_en"] == "you have voted for this nominee already"
    assert Vote.objects.filter(nomination=n.wang, voter=n.resident).count() == 1

    second = call.post(n.resident, f"{API}/nominations/{n.li.pk}/vote").json()
    assert second["slot"] == 2 and second["votes_left"] == 0
    third = assert_error(call.post(n.resident, f"{API}/nominations/{n.zhang.pk}/vote"), 409,
                         "no_votes_left")
    assert "票已用完" in third["detail"]
    assert sorted(Vote.objects.filter(voter=n.resident, category=n.v_family)
                  .values_list("nomination__nominee", "slot")) == [("李建国家庭", 2),
                                                                   ("王秀英家庭", 1)]
    assert not Vote.objects.filter(nomination=n.zhang).exists()
    # The other category keeps its own votes.
    stairwell = call.post(n.resident, f"{API}/nominations/{n.unit1.pk}/vote").json()
    assert stairwell == {"nomination": n.unit1.pk, "category": n.v_stairwell.pk, "slot": 1,
                         "votes_left": 1}


def test_no_vote_after_the_close(call, campaigns):
    n = campaigns
    ca.cast_vote(nomination=n.wang, acting_user=n.resident)
    end_voting(n.voting)
    body = assert_error(call.post(n.resident1, f"{API}/nominations/{n.wang.pk}/vote"), 422,
                        "invalid")
    assert body["detail"] == "投票已截止或尚未开始"
    # Voted already, yet the answer is the close, not a conflict.
    assert_error(call.post(n.resident, f"{API}/nominations/{n.wang.pk}/vote"), 422, "invalid")
    assert list(Vote.objects.values_list("voter", flat=True)) == [n.resident.pk]
    assert call.get(n.resident1, f"{API}/selections/{n.voting.pk}").json()["may_vote"] is False


def test_vote_refusals(call, campaigns):
    n = campaigns
    # Staff see the ballot but do not live in the area.
    body = assert_error(call.post(n.staff_a, f"{API}/nominations/{n.wang.pk}/vote"), 403,
                        "forbidden")
    assert body["detail"] == "只有本区域居民可以投票"
    # Community B's resident cannot see community A's nominees.
    body = assert_error(call.post(n.resident4, f"{API}/nominations/{n.wang.pk}/vote"), 404,
                        "not_found")
    assert body["detail_en"] == "nomination not found"
    # The refused nomination: its nominator sees it (and may not vote for it), others do not.
    body = assert_error(call.post(n.resident, f"{API}/nominations/{n.refused.pk}/vote"), 422,
                        "invalid")
    assert body["detail"] == "该推荐不在投票名单上"
    assert_error(call.post(n.resident1, f"{API}/nominations/{n.refused.pk}/vote"), 404,
                 "not_found")
    assert_error(call.post(n.resident, f"{API}/nominations/999999/vote"), 404, "not_found")
    assert not Vote.objects.exists()


# --- nominations ------------------------------------------------------------------------------


def test_a_resident_nominates_at_their_building(call, campaigns):
    n = campaigns
    url = f"{API}/selections/{n.nominating.pk}/nominations"
    response = call.post(n.resident1, url, {"category": n.family.pk, "nominee": " 赵大妈家庭 ",
                                            "story": "每天为独居老人送饭"})
    assert response.status_code == 201, response.content
    body = response.json()
    row = Nomination.objects.get(pk=body["id"])
    assert body["nominee"] == "赵大妈家庭" and body["status"] == "pending"
    assert body["source"] == "resident" and body["votes"] is None
    assert body["category"] == n.family.pk
    assert body["place"] == {"code": "CA-G1-X1-B1", "name": "1栋"}
    assert row.category == n.family and row.area == n.b1 and row.household is None
    assert row.nominated_by == n.resident1 and row.status == NominationStatus.PENDING

    mine = call.post(n.resident3, url, {"category": n.family.pk, "nominee": "张伟家庭",
                                        "story": "孝老爱亲", "self_nomination": True}).json()
    row = Nomination.objects.get(pk=mine["id"])
    assert mine["source"] == "self" and mine["place"]["code"] == "CA-G2-X1-B1"
    assert row.household == n.h3 and row.area == n.b2
    # The nominator sees it under my_nominations; others do not see it before review.
    detail = call.get(n.resident3, f"{API}/selections/{n.nominating.pk}").json()
    assert [x["nominee"] for x in detail["my_nominations"]] == ["张伟家庭"]
    assert ballot(detail) == {"最美家庭": [], "最美楼道": []}


def test_bad_nominations_write_nothing(call, campaigns):
    n = campaigns
    url = f"{API}/selections/{n.nominating.pk}/nominations"
    before = Nomination.objects.count()
    blank = assert_error(call.post(n.resident1, url, {"category": n.family.pk, "nominee": "  ",
                                                      "story": "热心"}), 422, "invalid")
    assert field_errors(blank) == {("body", "nominee"): "请填写推荐对象"}
    assert blank["detail"] == "请填写推荐对象" and blank["detail_en"] == "Please enter the nominee"
    long = assert_error(call.post(n.resident1, url, {"category": n.family.pk, "nominee": "长" * 60,
                                                     "story": "热心"}), 422, "invalid")
    assert field_errors(long) == {("body", "nominee"): "不能超过 50 个字"}
    other = assert_error(call.post(n.resident1, url, {"category": n.v_family.pk,
                                                      "nominee": "赵大妈", "story": "热心"}),
                         422, "invalid")
    assert ("body", "category") in field_errors(other)
    missing = assert_error(call.post(n.resident1, url, {"category": n.family.pk}), 422,
                           "invalid")
    assert missing["detail_en"] == "invalid request parameters"
    # Not taking nominations any more: the selection is voting.
    closed = assert_error(call.post(n.resident1, f"{API}/selections/{n.voting.pk}/nominations",
                                    {"category": n.v_family.pk, "nominee": "赵大妈",
                                     "story": "热心"}), 422, "invalid")
    assert closed["detail"] == "该评选不在推荐报名阶段"
    # Staff with no home on record have no building to place the nominee at.
    staff = assert_error(call.post(n.staff_a, url, {"category": n.family.pk, "nominee": "赵大妈",
                                                    "story": "热心"}), 422, "invalid")
    assert ("body", "area") in field_errors(staff)
    assert_error(call.post(n.resident4, url, {"category": n.family.pk, "nominee": "赵大妈",
                                              "story": "热心"}), 404, "not_found")
    assert Nomination.objects.count() == before


# --- review -----------------------------------------------------------------------------------


def test_staff_review_a_nomination(call, campaigns):
    n = campaigns
    pending = ca.nominate(category=n.family, nominee="赵大妈家庭", area=n.b1,
                          story="每天为独居老人送饭", acting_user=n.resident1)
    other = ca.nominate(category=n.family, nominee="钱师傅", area=n.b1, story="修好楼道灯",
                        acting_user=n.resident1)
    url = f"{API}/nominations/{pending.pk}/review"
    # The nominator sees it, yet only the staff review it; other residents do not see it.
    body = assert_error(call.post(n.resident1, url, {"passed": True}), 403, "forbidden")
    assert body["detail"] == "您无权组织该区域的文明创建活动"
    assert_error(call.post(n.resident, url, {"passed": True}), 404, "not_found")
    assert_error(call.post(n.staff_b, url, {"passed": True}), 404, "not_found")
    pending.refresh_from_db()
    assert pending.status == NominationStatus.PENDING and pending.reviewed_by is None

    response = call.post(n.staff_a, url, {"passed": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "passed" and response.json()["votes"] is None
    pending.refresh_from_db()
    assert pending.status == NominationStatus.PASSED and pending.reviewed_by == n.staff_a
    assert_error(call.post(n.staff_a, url, {"passed": False, "reason": "晚了"}), 409,
                 "already_reviewed")
    pending.refresh_from_db()
    assert pending.status == NominationStatus.PASSED

    other_url = f"{API}/nominations/{other.pk}/review"
    body = assert_error(call.post(n.staff_a, other_url, {"passed": False}), 422, "invalid")
    assert ("body", "reason") in field_errors(body)
    refused = call.post(n.staff_a, other_url, {"passed": False, "reason": "不属于家庭类"}).json()
    assert refused["status"] == "refused" and refused["refusal_reason"] == "不属于家庭类"
    other.refresh_from_db()
    assert other.status == NominationStatus.REFUSED and other.refusal_reason == "不属于家庭类"


def test_no_review_after_the_vote_closed(call, campaigns):
    n = campaigns
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    # Reviewed already, yet the answer is the selection's stage, not a conflict.
    body = assert_error(call.post(n.staff_a, f"{API}/nominations/{n.wang.pk}/review",
                                  {"passed": False, "reason": "迟到的异议"}), 422, "invalid")
    assert body["detail"] == "评选已结束投票，不能再审核推荐"
    n.wang.refresh_from_db()
    assert n.wang.status == NominationStatus.PASSED and n.wang.refusal_reason == ""


# --- the honour roll --------------------------------------------------------------------------


def test_the_honour_roll_after_a_selection_is_announced(call, campaigns):
    n = campaigns
    for voter, nominations in {n.resident: [n.wang, n.unit1], n.resident1: [n.li, n.wang],
                               n.resident3: [n.zhang]}.items():
        for nomination in nominations:
            ca.cast_vote(nomination=nomination, acting_user=voter)
    assert call.get(n.resident, f"{API}/honour/CA").json()["selections"] == []
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    ca.confirm_winners(selection=n.voting, acting_user=n.staff_a,
                       winners={n.v_family.pk: [n.wang.pk, n.li.pk],
                                n.v_stairwell.pk: [n.unit1.pk]})
    selection = ca.announce_winners(selection=n.voting, acting_user=n.staff_a)

    response = call.get(n.resident3, f"{API}/honour/CA")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["community"] == {"code": "CA", "name": "活龙社区"}
    [entry] = body["selections"]
    assert entry["id"] == selection.pk and entry["title"] == "2026年活龙社区最美家庭评选"
    assert entry["notice"] == selection.notice_id and entry["announced_at"]
    assert entry["area"] == {"code": "CA", "name": "活龙社区"}
    assert [(w["category"], w["nominee"], w["place"]["name"]) for w in entry["winners"]] == [
        ("最美家庭", "王秀英家庭", "1栋"), ("最美家庭", "李建国家庭", "1栋"),
        ("最美楼道", "1栋1单元", "1栋")]
    assert call.get(n.resident4, f"{API}/honour/CB").json()["selections"] == []
    # Staff who see the community read it too; community B's residents and staff do not.
    for user in (n.staff_a, n.street_staff):
        assert call.get(user, f"{API}/honour/CA").json() == body
    for user in (n.resident4, n.staff_b):
        assert_error(call.get(user, f"{API}/honour/CA"), 404, "not_found")

    detail = call.get(n.resident, f"{API}/selections/{selection.pk}").json()
    assert detail["stage"] == Stage.ANNOUNCED and detail["notice"] == selection.notice_id
    family = {x["nominee"]: (x["status"], x["votes"]) for x in detail["categories"][0]
              ["nominations"]}
    assert family == {"王秀英家庭": ("winner", 2), "李建国家庭": ("winner", 1),
                      "张伟家庭": ("not_chosen", 1)}

    for code in ["CA-G1", "CA-G1-X1-B1", "S", "NOPE"]:
        body = assert_error(call.get(n.resident, f"{API}/honour/{code}"), 404, "not_found")
        assert body["detail_en"] == "community not found"


# --- the schema -------------------------------------------------------------------------------


def test_every_campaigns_response_is_documented(client, db):
    """What gongzhi/core/tests/test_openapi.py checks for every path, for these."""
    operations = {
        ("/api/campaigns/selections", "get"): {"200", "422"},
        ("/api/campaigns/selections/{id}", "get"): {"200", "404", "422"},
        ("/api/campaigns/selections/{id}/nominations", "post"): {"201", "403", "404", "422"},
        ("/api/campaigns/nominations/{id}/vote", "post"): {"201", "403", "404", "409", "422"},
        ("/api/campaigns/nominations/{id}/review", "post"): {"200", "403", "404", "409",
                                                              "422"},
        ("/api/campaigns/honour/{code}", "get"): {"200", "404", "422"},
    }
    schema = client.get("/api/openapi.json").json()
    # The other parts (stars/, shops/, partners/, conventions/) have tests of their own.
    others = tuple(f"/api/campaigns/{part}" for part in ("stars", "shops", "partners",
                                                           "conventions"))
    paths = {(path, method) for path, ops in schema["paths"].items() for method in ops
             if path.startswith("/api/campaigns/") and not path.startswith(others)}
    assert paths == set(operations)
    for (path, method), statuses in operations.items():
        operation = schema["paths"][path][method]
        assert set(operation["responses"]) == {"401"} | statuses, (path, method)
        chinese, english = operation["summary"].split("/", 1)
        assert chinese.strip() and english.strip().isascii(), (path, method)
        assert {name for req in operation["security"] for name in req} == {
            "BearerToken", "HeaderToken", "SessionAuth"}


def test_the_confirmed_list_stays_the_organisers_until_announced(call, campaigns):
    n = campaigns
    end_voting(n.voting)
    ca.close_voting(selection=n.voting, acting_user=n.staff_a)
    ca.confirm_winners(selection=n.voting, acting_user=n.staff_a,
                       winners={n.v_family.pk: [n.wang.pk, n.li.pk],
                                n.v_stairwell.pk: [n.unit1.pk]})
    url = f"{API}/selections/{n.voting.pk}"

    def statuses(user) -> dict:
        body = call.get(user, url).json()
        return {x["nominee"]: x["status"] for c in body["categories"] for x in c["nominations"]}

    assert set(statuses(n.resident).values()) == {"passed"}  # 审定 is not public yet
    assert statuses(n.staff_a)["王秀英家庭"] == "winner"
    assert statuses(n.staff_a)["张伟家庭"] == "not_chosen"
    ca.announce_winners(selection=n.voting, acting_user=n.staff_a)
    assert statuses(n.resident)["王秀英家庭"] == "winner"
