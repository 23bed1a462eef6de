"""The deliberation API: who sees which poll, one ballot per unit, the stored count, secrecy,
support for topics, consultations and resolutions — and bilingual JSON errors."""

import json
from datetime import timedelta

import pytest

from gongzhi.areas.actions import add_resident, create_household
from gongzhi.cases.tests.api_client import get, post
from gongzhi.conftest import make_user
from gongzhi.deliberation import actions, tally
from gongzhi.deliberation.models import Ballot, ConsultationAnswer, PollUnit, TopicSupport

API = "/api/deliberation"


def new_poll(n, area=None, by=None, **kw):
    kw.setdefault("rule", "simple")
    return actions.create_poll(title="更换单元门禁", area=area or n.comm_a,
                               electorate="households", acting_user=by or n.staff_a,
                               **(n.window | kw))


def opened(n, area=None, by=None, **kw):
    return actions.open_poll(poll=new_poll(n, area, by, **kw), acting_user=by or n.staff_a)


def unit(poll, household) -> PollUnit:
    return PollUnit.objects.get(poll=poll, household=household)


def vote(client, user, poll, household, choice="yes", **extra):
    return post(client, user, f"{API}/polls/{poll.pk}/ballots",
                {"unit": unit(poll, household).pk, "choice": choice, **extra})


def assert_error(response, status: int, code: str) -> dict:
    """A JSON error with a Chinese detail, an English detail_en and a machine code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    assert body["detail_en"] and body["detail_en"].isascii(), body
    return body


# --- polls -------------------------------------------------------------------------------


def test_resident_sees_polls_of_their_community_only(client, delib):
    n = delib
    mine = opened(n)
    other = opened(n, area=n.comm_b, by=n.staff_b)
    draft = new_poll(n)
    listed = get(client, n.owner1, f"{API}/polls")
    assert listed.status_code == 200, listed.content
    assert [p["id"] for p in listed.json()["items"]] == [mine.pk]
    assert listed.json()["count"] == 1

    detail = get(client, n.owner1, f"{API}/polls/{mine.pk}").json()
    assert detail["status"] == "open" and detail["accepting"] is True
    assert detail["area"]["code"] == "CA" and detail["rule"] == "simple"
    assert detail["my_units"] == [{"id": unit(mine, n.h1).pk, "label": str(n.h1),
                                   "voted": False}]
    assert detail["outcome"] is None

    assert_error(get(client, n.owner1, f"{API}/polls/{other.pk}"), 404, "not_found")
    assert_error(get(client, n.owner1, f"{API}/polls/{draft.pk}"), 404, "not_found")
    # Staff see their own scope, drafts included, and filter by status.
    staff = get(client, n.staff_a, f"{API}/polls", {"status": "draft"}).json()
    assert [p["id"] for p in staff["items"]] == [draft.pk]
    assert_error(get(client, n.staff_b, f"{API}/polls/{mine.pk}"), 404, "not_found")
    assert get(client, n.staff_b, f"{API}/polls/{other.pk}").status_code == 200


def test_other_community_poll_is_unseen_even_by_id(client, delib):
    n = delib
    poll = opened(n, area=n.comm_b, by=n.staff_b)
    assert [p["id"] for p in get(client, n.outsider, f"{API}/polls").json()["items"]] == [
        poll.pk]
    assert get(client, n.owner1, f"{API}/polls").json()["items"] == []
    body = assert_error(post(client, n.owner1, f"{API}/polls/{poll.pk}/ballots",
                             {"unit": unit(poll, n.h4).pk, "choice": "yes"}), 404,
                        "not_found")
    assert "未找到" in body["detail"]
    assert not Ballot.objects.exists()


def test_superuser_sees_every_poll_and_topic(client, delib):
    n = delib
    polls = {new_poll(n).pk, opened(n, area=n.comm_b, by=n.staff_b).pk}
    root = make_user("root", is_superuser=True)
    assert {p["id"] for p in get(client, root, f"{API}/polls").json()["items"]} == polls
    topic = actions.propose_topic(council=n.council, title="议题", description="说明",
                                  acting_user=n.owner1)
    assert get(client, root, f"{API}/topics/{topic.pk}").status_code == 200


def test_pagination_with_limit_and_offset(client, delib):
    n = delib
    polls = [opened(n, opens_at=n.now - timedelta(hours=i + 1)) for i in range(3)]
    page = get(client, n.owner1, f"{API}/polls", {"limit": 2, "offset": 1}).json()
    assert [p["id"] for p in page["items"]] == [polls[1].pk, polls[2].pk]
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 1)
    assert_error(get(client, n.owner1, f"{API}/polls", {"limit": 0}), 422, "invalid")


def test_owner_votes_once_and_a_second_ballot_is_409(client, delib):
    n = delib
    poll = opened(n)
    first = vote(client, n.owner1, poll, n.h1, "yes")
    assert first.status_code == 201, first.content
    ballot = Ballot.objects.get(unit=unit(poll, n.h1))
    assert ballot.choice == "yes" and ballot.cast_by == n.owner1
    assert first.json() == {"unit": ballot.unit_id, "poll": poll.pk,
                            "cast_at": first.json()["cast_at"]}

    again = vote(client, n.owner1, poll, n.h1, "no")
    body = assert_error(again, 409, "already_voted")
    assert "已经投过票" in body["detail"] and "already voted" in body["detail_en"]
    assert body["errors"][0]["loc"] == ["body", "unit"]
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.get(unit=ballot.unit).choice == "yes"
    detail = get(client, n.owner1, f"{API}/polls/{poll.pk}").json()
    assert detail["my_units"][0]["voted"] is True


def test_non_owner_and_tenant_are_refused(client, delib):
    n = delib
    rented = create_household(building=n.b1, unit="1", room="301", floor=3, tenure="tenant",
                              acting_user=n.staff_a)
    tenant = make_user("tenant", resident=add_resident(
        household=rented, name="租客", is_head=True, acting_user=n.staff_a))
    poll = opened(n)
    # A neighbour may not vote for someone else's home …
    body = assert_error(vote(client, n.owner3, poll, n.h1), 403, "forbidden")
    assert "业主" in body["detail"]
    # … nor the head of a rented home for it, nor staff for anyone.
    assert_error(vote(client, tenant, poll, rented), 403, "forbidden")
    assert get(client, tenant, f"{API}/polls/{poll.pk}").json()["my_units"] == []
    assert_error(vote(client, n.staff_a, poll, n.h2), 403, "forbidden")
    assert not Ballot.objects.exists()


def test_bad_choice_and_closed_poll_are_422(client, delib):
    n = delib
    poll = opened(n)
    assert_error(vote(client, n.owner1, poll, n.h1, "maybe"), 422, "invalid")
    plans = opened(n, options=["方案一", "方案二"])
    body = assert_error(vote(client, n.owner1, plans, n.h1, "yes"), 422, "invalid")
    assert body["errors"][0]["loc"] == ["body", "option"]
    other = post(client, n.owner1, f"{API}/polls/{poll.pk}/ballots",
                 {"unit": unit(plans, n.h1).pk, "choice": "yes"})  # a unit of another poll
    assert_error(other, 422, "invalid")
    actions.close_poll(poll=poll, acting_user=n.staff_a)
    body = assert_error(vote(client, n.owner1, poll, n.h1), 422, "invalid")
    assert "截止" in body["detail"]
    assert not Ballot.objects.exists()
    ok = vote(client, n.owner1, plans, n.h1, "option", option=plans.options.last().pk)
    assert ok.status_code == 201
    assert Ballot.objects.get().option == plans.options.last()


@pytest.mark.parametrize("voters", [("owner1", "owner2"), ("owner1",)])
def test_closed_poll_shows_the_count_tally_makes(client, delib, voters):
    n = delib
    poll = opened(n, matter="use_fund")  # 双过半, with a quorum of two thirds
    homes = {"owner1": n.h1, "owner2": n.h2}
    for name in voters:
        assert vote(client, getattr(n, name), poll, homes[name], "yes").status_code == 201
    actions.enter_ballot(poll=poll, unit=unit(poll, n.h3), choice="no", source="paper",
                         record="第 1 号", acting_user=n.staff_a)
    actions.close_poll(poll=poll, acting_user=n.staff_a)

    units = [(u.pk, u.owner_key, u.area) for u in poll.units.all()]
    ballots = {unit(poll, homes[name]).pk: "yes" for name in voters}
    ballots[unit(poll, n.h3).pk] = "no"
    expected = tally.decide("art278_half", units, ballots)

    out = get(client, n.owner1, f"{API}/polls/{poll.pk}").json()["outcome"]
    assert (out["passed"], out["quorum_met"]) == (expected.passed, expected.quorum_met)
    assert out["yes_area"] == str(expected.yes_area) and out["area"] == "250.50"
    assert out["turnout_area"] == (f"{expected.turnout_area.numerator}/"
                                   f"{expected.turnout_area.denominator}")
    assert [(s["label"], s["met"]) for s in out["steps"]] == [
        (s.label, s.met) for s in expected.steps()]
    assert out["split_owners"] == 0


def test_owner_of_two_homes_votes_for_both_and_their_id_stays_hidden(client, delib):
    n = delib
    second = create_household(building=n.b1, unit="1", room="102", floor=1,
                              floor_area=n.h1.floor_area, acting_user=n.staff_a)
    add_resident(household=second, name="王秀英", is_head=True, id_number=n.r1.id_number,
                 acting_user=n.staff_a)
    poll = opened(n)
    mine = get(client, n.owner1, f"{API}/polls/{poll.pk}").json()["my_units"]
    assert {u["id"] for u in mine} == {unit(poll, n.h1).pk, unit(poll, second).pk}
    assert vote(client, n.owner1, poll, n.h1, "yes").status_code == 201
    assert vote(client, n.owner1, poll, second, "no").status_code == 201
    actions.close_poll(poll=poll, acting_user=n.staff_a)
    poll.refresh_from_db()
    assert poll.outcome["split_owners"] == 1  # kept as a count, never the owner's key
    assert n.r1.id_number not in json.dumps(poll.outcome)
    response = get(client, n.owner2, f"{API}/polls/{poll.pk}")
    assert response.json()["outcome"]["split_owners"] == 1
    assert n.r1.id_number not in response.content.decode()


def test_secret_poll_never_shows_a_choice(client, delib):
    n = delib
    poll = opened(n, secret=True)
    cast = vote(client, n.owner1, poll, n.h1, "no")
    assert cast.status_code == 201
    assert set(cast.json()) == {"unit", "poll", "cast_at"}
    detail = get(client, n.owner1, f"{API}/polls/{poll.pk}")
    assert set(detail.json()["my_units"][0]) == {"id", "label", "voted"}
    for response in (cast, detail, get(client, n.staff_a, f"{API}/polls/{poll.pk}")):
        assert "choice" not in response.content.decode()
        assert '"no"' not in response.content.decode()
    again = vote(client, n.owner1, poll, n.h1, "yes")
    assert again.status_code == 409 and "choice" not in again.content.decode()


def test_api_needs_a_login(client, delib):
    poll = opened(delib)
    response = client.get(f"{API}/polls/{poll.pk}")
    assert_error(response, 401, "not_authenticated")


# --- topics ------------------------------------------------------------------------------


def test_propose_and_support_a_topic(client, delib):
    n = delib
    proposed = post(client, n.owner1, f"{API}/topics",
                    {"council": n.council.pk, "title": "增设电动车充电桩",
                     "description": "1栋楼下常有飞线充电，建议集中设置充电桩"})
    assert proposed.status_code == 201, proposed.content
    topic = proposed.json()
    assert (topic["status"], topic["supports"], topic["mine"]) == ("proposed", 0, True)

    url = f"{API}/topics/{topic['id']}/support"
    supported = post(client, n.owner3, url)
    assert supported.status_code == 200, supported.content
    assert (supported.json()["supports"], supported.json()["supported"]) == (1, True)
    assert TopicSupport.objects.filter(topic_id=topic["id"], user=n.owner3).exists()
    assert_error(post(client, n.owner3, url), 422, "invalid")  # once per resident
    assert_error(post(client, n.owner1, url), 422, "invalid")  # not one's own
    assert TopicSupport.objects.filter(topic_id=topic["id"]).count() == 1
    # The second support reaches the threshold (2): the topic goes on the agenda.
    assert post(client, n.owner2, url).json()["status"] == "agenda"

    listed = get(client, n.owner2, f"{API}/topics").json()["items"]
    assert [(t["id"], t["supports"]) for t in listed] == [(topic["id"], 2)]
    # The outsider of community B neither sees nor supports it.
    assert get(client, n.outsider, f"{API}/topics").json()["items"] == []
    assert_error(post(client, n.outsider, url), 404, "not_found")
    assert_error(get(client, n.outsider, f"{API}/topics/{topic['id']}"), 404, "not_found")


def test_proposal_refused_outside_the_area_or_when_empty(client, delib):
    n = delib
    body = {"council": n.council.pk, "title": "外来提议", "description": "说明"}
    assert_error(post(client, n.outsider, f"{API}/topics", body), 403, "forbidden")
    empty = post(client, n.owner1, f"{API}/topics", body | {"title": "  "})
    assert assert_error(empty, 422, "invalid")["errors"][0]["loc"] == ["body", "title"]
    missing = post(client, n.owner1, f"{API}/topics", body | {"council": 999999})
    assert_error(missing, 422, "invalid")
    assert not n.council.topics.exists()


# --- consultations -----------------------------------------------------------------------


def test_consultation_answer_and_summary(client, delib):
    n = delib
    lift = actions.create_consultation(title="1栋加装电梯", area=n.b1, acting_user=n.staff_a,
                                       **n.window)
    url = f"{API}/consultations/{lift.pk}"
    before = get(client, n.owner1, url).json()
    assert (before["may_answer"], before["my_answer"], before["summary"]) == (True, None, None)
    answered = post(client, n.owner1, f"{url}/answer", {"answer": "agree"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["my_answer"]["answer"] == "agree"
    assert answered.json()["may_answer"] is False
    assert ConsultationAnswer.objects.get(consultation=lift).household == n.h1
    assert_error(post(client, n.owner1, f"{url}/answer", {"answer": "disagree"}), 422,
                 "invalid")
    cond = post(client, n.owner2, f"{url}/answer", {"answer": "conditional"})
    assert assert_error(cond, 422, "invalid")["errors"][0]["loc"] == ["body", "condition"]
    assert_error(post(client, n.owner3, f"{url}/answer", {"answer": "agree"}), 404,
                 "not_found")  # building 2 is not near building 1
    assert_error(post(client, n.staff_a, f"{url}/answer", {"answer": "agree"}), 403,
                 "forbidden")

    actions.close_consultation(consultation=lift, acting_user=n.staff_a)
    summary = get(client, n.owner2, url).json()["summary"]
    assert [(r["floor"], r["agree"], r["unanswered"]) for r in summary["rows"]] == [
        (1, 1, 0), (2, 0, 1)]
    assert summary["totals"]["households"] == 2
    assert summary["as_answered"]["passed"] is False  # one of two is not 双四分之三


# --- resolutions -------------------------------------------------------------------------


def test_resolution_steps_and_drafts_for_runners_only(client, delib):
    n = delib
    draft = actions.draft_resolution(title="增设充电桩", body="在1栋南侧设置充电桩。",
                                     area=n.comm_a, acting_user=n.staff_a)
    url = f"{API}/resolutions/{draft.pk}"
    assert_error(get(client, n.owner1, url), 404, "not_found")
    assert [s["done"] for s in get(client, n.staff_a, url).json()["steps"]] == [
        True, False, False, False, False]

    actions.submit_resolution(resolution=draft, acting_user=n.staff_a)
    actions.decide_resolution(resolution=draft, approve=True, note="同意",
                              acting_user=n.street_staff)
    actions.publish_resolution(resolution=draft, acting_user=n.staff_a)
    draft.refresh_from_db()
    body = get(client, n.owner1, url).json()
    assert body["status"] == "notice" and body["notice"] == draft.notice_id
    steps = {s["status"]: s for s in body["steps"]}
    assert [s["status"] for s in body["steps"]] == [
        "draft", "submitted", "approved", "notice", "carried_out"]
    assert all(steps[s]["done"] and steps[s]["at"] for s in ("submitted", "approved",
                                                             "notice"))
    assert steps["carried_out"] == {"status": "carried_out", "label": "已实施", "at": None,
                                    "done": False}
    assert_error(get(client, n.outsider, url), 404, "not_found")
