"""The 居民公约 API with API tokens: the list scoped to where one lives or works, a
convention with my household's signature, signing once (409 the second time), paper
signatures by the building head, and the staff's rates per building."""

import pytest

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import ConventionSignature
from gongzhi.campaigns.tests.conftest import Caller, assert_error

pytestmark = pytest.mark.django_db
API = "/api/campaigns/conventions"


@pytest.fixture
def call(client):
    return Caller(client)


def test_the_list_is_scoped(call, conventions):
    n = conventions
    mine = call.get(n.resident, API).json()
    assert [c["id"] for c in mine["items"]] == [n.published.pk] and mine["count"] == 1
    assert mine["items"][0]["organising"] is False
    assert call.get(n.conv_r4, API).json()["count"] == 0
    staff = call.get(n.staff_a, API).json()
    assert {c["id"] for c in staff["items"]} == {n.draft.pk, n.closed.pk, n.published.pk}
    drafts = call.get(n.staff_a, API, {"stage": "draft"}).json()
    assert [c["id"] for c in drafts["items"]] == [n.draft.pk]
    assert call.get(n.staff_b, API).json()["count"] == 0
    head = call.get(n.head_b1, API).json()  # the published one over their building
    assert [c["id"] for c in head["items"]] == [n.published.pk]
    assert call.get(n.resident, API, {"stage": "nonsense"}).status_code == 422


def test_detail_sign_and_sign_again(call, conventions):
    n = conventions
    url = f"{API}/{n.published.pk}"
    body = call.get(n.resident, url).json()
    assert body["articles"][0] == "爱党爱国，遵纪守法。" and len(body["articles"]) == 4
    assert body["my_signature"] is None and body["may_sign"] is True
    assert body["my_household"] == "1栋1单元201" and body["counts"] is None
    signed = call.post(n.resident, f"{url}/sign")
    assert signed.status_code == 201, signed.content
    assert signed.json()["household"] == n.h2.pk and signed.json()["paper"] is False
    assert signed.json()["signed_by"] == "李建国"
    body = call.get(n.resident, url).json()
    assert body["may_sign"] is False and body["my_signature"]["household"] == n.h2.pk
    assert_error(call.post(n.resident, f"{url}/sign"), 409, "already_signed")
    assert ConventionSignature.objects.count() == 1


def test_who_may_not(call, conventions):
    n = conventions
    assert_error(call.get(n.conv_r4, f"{API}/{n.published.pk}"), 404, "not_found")
    assert_error(call.post(n.conv_r4, f"{API}/{n.published.pk}/sign"), 404, "not_found")
    assert_error(call.get(n.resident, f"{API}/{n.draft.pk}"), 404, "not_found")
    # Staff see the draft, but nobody may sign it.
    assert call.get(n.staff_a, f"{API}/{n.closed.pk}").json()["counts"]["disagree"] == 1
    response = call.post(n.staff_a, f"{API}/{n.closed.pk}/sign", {"household": n.h1.pk})
    assert response.status_code == 422
    assert_error(call.post(n.resident, f"{API}/{n.published.pk}/sign",
                           {"household": n.h1.pk}), 403, "forbidden")
    assert_error(call.post(n.head_b1, f"{API}/{n.published.pk}/sign",
                           {"household": n.h3.pk}), 403, "forbidden")  # not their building
    assert_error(call.get(n.head_b1, f"{API}/{n.closed.pk}"), 404, "not_found")
    assert call.post(n.staff_a, f"{API}/{n.published.pk}/sign",
                     {"household": 999999}).status_code == 422
    assert call.post(n.staff_a, f"{API}/{n.published.pk}/sign",
                     {"household": "一户"}).status_code == 422
    assert not ConventionSignature.objects.exists()


def test_paper_signature_by_staff_and_rates(call, conventions):
    n = conventions
    url = f"{API}/{n.published.pk}"
    paper = call.post(n.staff_a, f"{url}/sign", {"household": n.h5.pk})
    assert paper.status_code == 201 and paper.json()["paper"] is True
    assert_error(call.post(n.staff_a, f"{url}/sign", {"household": n.h5.pk}), 409,
                 "already_signed")
    head = call.post(n.head_b1, f"{url}/sign", {"household": n.h1.pk})
    assert head.status_code == 201 and head.json()["signed_by"] == "head_b1"
    ca.sign_convention(convention=n.published, acting_user=n.conv_r3)
    rates = call.get(n.staff_a, f"{url}/rates").json()
    assert [(b["building"]["code"], b["compound"], b["households"], b["signed"], b["rate"])
            for b in rates["buildings"]] == [("CA-G1-X1-B1", "铁路小区", 3, 2, 66.7),
                                             ("CA-G2-X1-B1", "机务小区", 2, 1, 50.0)]
    assert (rates["total"]["households"], rates["total"]["signed"],
            rates["total"]["rate"]) == (5, 3, 60.0)
    by_rate = call.get(n.staff_a, f"{url}/rates", {"sort": "rate"}).json()
    assert by_rate["buildings"][0]["building"]["code"] == "CA-G2-X1-B1"
    assert_error(call.get(n.resident, f"{url}/rates"), 403, "forbidden")
    assert_error(call.get(n.staff_b, f"{url}/rates"), 404, "not_found")
    assert_error(call.get(n.head_b1, f"{url}/rates"), 403, "forbidden")
