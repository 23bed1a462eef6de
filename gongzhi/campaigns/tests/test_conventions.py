"""居民公约 through its actions and selectors: draft → consultation → publish → sign, who may
do each step, and the signing rates (households counted by hand from the fixture)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.campaigns import actions as ca
from gongzhi.campaigns import selectors_conventions as sc
from gongzhi.campaigns.models import ConventionSignature, ConventionStage
from gongzhi.campaigns.tests.fixtures_conventions import ARTICLES, end_consultation
from gongzhi.core.models import AuditEvent
from gongzhi.core.notifications import Notification
from gongzhi.deliberation.models import ConsultationStatus
from gongzhi.notices.models import Notice, NoticeStatus

pytestmark = pytest.mark.django_db
S = ConventionStage


def events(action: str):
    return AuditEvent.objects.filter(action=f"campaigns.{action}").order_by("id")


# --- drafting -----------------------------------------------------------------------------


def test_draft_is_for_a_community_or_compound_by_its_staff(conventions):
    n = conventions
    made = ca.draft_convention(area=n.compound, title=" 铁路小区公约 ",
                               text="一、爱护绿化\n\n  二、车辆有序停放 \n", acting_user=n.staff_a)
    assert made.stage == S.DRAFT and made.title == "铁路小区公约"
    assert made.text == "一、爱护绿化\n二、车辆有序停放"  # blank lines go, one article a line
    assert made.area_path == n.compound.path and made.drafted_by == n.staff_a
    event = events("draft_convention").last()
    assert event.after["articles"] == 2 and event.before is None
    for user in (n.staff_b, n.head_b1, n.worker_a1, n.resident):
        with pytest.raises(PermissionDenied):
            ca.draft_convention(area=n.comm_a, title="公约", text="一条", acting_user=user)
    ca.draft_convention(area=n.comm_a, title="街道也可起草", text="一条",
                        acting_user=n.street_staff)
    with pytest.raises(ValidationError) as exc:
        ca.draft_convention(area=n.b1, title="公约", text="一条", acting_user=n.staff_a)
    assert "area" in exc.value.message_dict
    for title, text, key in (("", "一条", "title"), ("公约", "  \n ", "text"),
                             ("长" * 101, "一条", "title"),
                             ("公约", "\n".join(["条"] * 61), "text")):
        with pytest.raises(ValidationError) as exc:
            ca.draft_convention(area=n.comm_a, title=title, text=text, acting_user=n.staff_a)
        assert key in exc.value.message_dict


def test_revising_in_draft_and_in_consultation_but_not_once_published(conventions):
    n = conventions
    ca.draft_convention(convention=n.draft, area=n.compound, title="铁路小区文明养犬公约",
                        text="牵绳遛狗", acting_user=n.staff_a)
    n.draft.refresh_from_db()
    assert n.draft.area_path == n.compound.path and n.draft.text == "牵绳遛狗"
    event = events("draft_convention").last()
    assert event.before["title"] == "活龙社区文明养犬公约"
    assert event.after["in_consultation"] is False and event.after["articles"] == 1
    ca.consult_on_convention(convention=n.draft, closes_at=timezone.now() + timedelta(days=3),
                             acting_user=n.staff_a)
    ca.draft_convention(convention=n.draft, area=n.compound, title="铁路小区文明养犬公约",
                        text="牵绳遛狗\n及时清理", acting_user=n.staff_a)
    assert events("draft_convention").last().after["in_consultation"] is True
    with pytest.raises(ValidationError) as exc:  # the households asked stay the same
        ca.draft_convention(convention=n.draft, area=n.comm_a, title="公约", text="一条",
                            acting_user=n.staff_a)
    assert "area" in exc.value.message_dict
    with pytest.raises(ValidationError):
        ca.draft_convention(convention=n.published, area=n.comm_a, title="公约", text="一条",
                            acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):
        ca.draft_convention(convention=n.published, area=n.comm_b, title="公约", text="一条",
                            acting_user=n.staff_b)


# --- the consultation ---------------------------------------------------------------------


def test_consulting_opens_a_deliberation_consultation_of_the_area(conventions):
    n = conventions
    before = Notification.objects.filter(kind="campaigns.convention_consulting").count()
    closes = timezone.now() + timedelta(days=5)
    ca.consult_on_convention(convention=n.draft, closes_at=closes, acting_user=n.staff_a)
    n.draft.refresh_from_db()
    consultation = n.draft.consultation
    assert n.draft.stage == S.CONSULTING
    assert consultation.matter == "covenant" and consultation.area_id == n.comm_a.pk
    assert consultation.closes_at == closes and consultation.status == ConsultationStatus.OPEN
    assert consultation.description.splitlines()[1] == "2. 邻里和睦，互帮互助。"
    # Told: the residents of community A with a login (conv_r1, resident, conv_r3).
    told = Notification.objects.filter(kind="campaigns.convention_consulting")
    assert told.count() - before == 3
    assert told.order_by("-id").first().url == f"/deliberation/consultations/{consultation.pk}/"
    assert sc.consultation_counts(n.draft) == {"households": 5, "answered": 0, "agree": 0,
                                               "conditional": 0, "disagree": 0}
    with pytest.raises(ValidationError):  # once
        ca.consult_on_convention(convention=n.draft, closes_at=closes, acting_user=n.staff_a)


def test_consulting_needs_a_future_close_and_its_staff(conventions):
    n = conventions
    for bad in (timezone.now() - timedelta(minutes=1), None, "明天"):
        with pytest.raises(ValidationError) as exc:
            ca.consult_on_convention(convention=n.draft, closes_at=bad, acting_user=n.staff_a)
        assert "closes_at" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        ca.consult_on_convention(convention=n.draft, closes_at=timezone.now() + timedelta(days=1),
                                 acting_user=n.staff_b)
    n.draft.refresh_from_db()
    assert n.draft.stage == S.DRAFT and n.draft.consultation_id is None


# --- publishing ---------------------------------------------------------------------------


def test_publish_after_the_close_with_the_counts_in_the_notice_and_audit(conventions):
    n = conventions
    assert sc.consultation_counts(n.closed) == {"households": 5, "answered": 3, "agree": 1,
                                                "conditional": 1, "disagree": 1}
    told = Notification.objects.filter(kind="notices.published").count()
    ca.publish_convention(convention=n.closed, acting_user=n.staff_a)
    n.closed.refresh_from_db()
    assert n.closed.stage == S.PUBLISHED and n.closed.published_at is not None
    assert n.closed.consultation.status == ConsultationStatus.CLOSED
    notice = n.closed.notice
    assert notice.status == NoticeStatus.PUBLISHED and notice.area_id == n.comm_a.pk
    assert notice.subject == f"campaigns.convention:{n.closed.pk}"
    assert notice.body.splitlines()[0] == "1. 爱党爱国，遵纪守法。"
    assert "同意 1 户、有条件同意 1 户、不同意 1 户" in notice.body
    after = events("publish_convention").last().after
    assert (after["households"], after["answered"], after["agree"], after["conditional"],
            after["disagree"]) == (5, 3, 1, 1, 1)
    # The notices app told the area's three residents with a login; nothing more.
    assert Notification.objects.filter(kind="notices.published").count() - told == 3
    assert not Notification.objects.filter(kind__startswith="campaigns.convention_pub").exists()


def test_no_publishing_before_the_consultation_closes(conventions):
    n = conventions
    with pytest.raises(ValidationError):  # a draft was never consulted on
        ca.publish_convention(convention=n.draft, acting_user=n.staff_a)
    ca.consult_on_convention(convention=n.draft, closes_at=timezone.now() + timedelta(days=2),
                             acting_user=n.staff_a)
    with pytest.raises(ValidationError):
        ca.publish_convention(convention=n.draft, acting_user=n.staff_a)
    n.draft.refresh_from_db()
    assert n.draft.stage == S.CONSULTING and n.draft.notice_id is None
    with pytest.raises(PermissionDenied):
        ca.publish_convention(convention=n.closed, acting_user=n.staff_b)
    with pytest.raises(ValidationError):  # once
        ca.publish_convention(convention=n.published, acting_user=n.staff_a)
    end_consultation(n.draft)
    assert ca.publish_convention(convention=n.draft, acting_user=n.staff_a).stage == S.PUBLISHED
    assert Notice.objects.filter(subject__startswith="campaigns.convention:").count() == 2


# --- signing ------------------------------------------------------------------------------


def test_a_resident_signs_for_their_household_once(conventions):
    n = conventions
    signature = ca.sign_convention(convention=n.published, acting_user=n.resident)
    assert signature.household == n.h2 and signature.signed_by == n.resident
    assert signature.area_path == n.b1.path
    assert events("sign_convention").last().after == {"household": n.h2.pk, "paper": False}
    assert sc.signed_for_household(signature)
    with pytest.raises(ValidationError) as exc:
        ca.sign_convention(convention=n.published, acting_user=n.resident)
    assert "已经签署" in exc.value.messages[0]
    # Giving one's own household is signing for it, also refused the second time.
    with pytest.raises(ValidationError):
        ca.sign_convention(convention=n.published, acting_user=n.resident, household=n.h2)
    assert ConventionSignature.objects.filter(convention=n.published).count() == 1
    assert events("sign_convention").count() == 1


def test_who_may_sign_what(conventions):
    n = conventions
    with pytest.raises(PermissionDenied):  # community B
        ca.sign_convention(convention=n.published, acting_user=n.conv_r4)
    with pytest.raises(PermissionDenied):  # a resident for another household
        ca.sign_convention(convention=n.published, acting_user=n.resident, household=n.h1)
    with pytest.raises(PermissionDenied):  # staff without a home
        ca.sign_convention(convention=n.published, acting_user=n.staff_a)
    with pytest.raises(PermissionDenied):  # the building head of b1 for b2's household
        ca.sign_convention(convention=n.published, acting_user=n.head_b1, household=n.h3)
    with pytest.raises(PermissionDenied):
        ca.sign_convention(convention=n.published, acting_user=n.staff_b, household=n.h1)
    with pytest.raises(ValidationError):  # not published
        ca.sign_convention(convention=n.draft, acting_user=n.resident)
    with pytest.raises(ValidationError):
        ca.sign_convention(convention=n.closed, acting_user=n.head_b1, household=n.h1)
    with pytest.raises(ValidationError) as exc:  # admin may record, but h4 is community B's
        ca.sign_convention(convention=n.published, acting_user=n.admin, household=n.h4)
    assert "household" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # not a household at all
        ca.sign_convention(convention=n.published, acting_user=n.head_b1, household=n.h1.pk)
    assert "household" in exc.value.message_dict
    assert not ConventionSignature.objects.exists()


def test_paper_signatures_by_the_building_head_and_grid_worker(conventions):
    n = conventions
    row = ca.sign_convention(convention=n.published, acting_user=n.head_b1, household=n.h5)
    assert row.household == n.h5 and row.signed_by == n.head_b1
    assert not sc.signed_for_household(row)
    assert events("sign_convention").last().after == {"household": n.h5.pk, "paper": True}
    ca.sign_convention(convention=n.published, acting_user=n.worker_a2, household=n.h3)
    with pytest.raises(ValidationError):  # h3 signed already, online or on paper
        ca.sign_convention(convention=n.published, acting_user=n.conv_r3)
    with pytest.raises(ValidationError):
        ca.sign_convention(convention=n.published, acting_user=n.staff_a, household=n.h5)


# --- signing rates ------------------------------------------------------------------------


def test_rates_per_building_and_in_total(conventions, django_assert_max_num_queries):
    n = conventions
    ca.sign_convention(convention=n.published, acting_user=n.resident)  # b1 h2
    ca.sign_convention(convention=n.published, acting_user=n.conv_r1)  # b1 h1
    ca.sign_convention(convention=n.published, acting_user=n.worker_a2, household=n.h6)  # b2
    with django_assert_max_num_queries(3):
        rates = sc.building_rates(n.published)
    # b1 (铁路小区 1栋): 3 households, 2 signed; b2 (机务小区 1栋): 2, 1; b3 is community B's.
    assert [(r.building, r.households, r.signed, r.unsigned, r.rate) for r in rates.rows] == [
        (n.b1, 3, 2, 1, Decimal("66.7")), (n.b2, 2, 1, 1, Decimal("50.0"))]
    assert (rates.total.households, rates.total.signed, rates.total.rate) == (5, 3,
                                                                               Decimal("60.0"))
    assert [r.building for r in sc.building_rates(n.published, by_rate=True).rows] == [n.b2, n.b1]
    mine = sc.building_rates(n.published, within=n.b1.path)
    assert [(r.building, r.signed) for r in mine.rows] == [(n.b1, 2)]
    assert sc.rate(0, 0) is None and sc.rate(1, 3) == Decimal("33.3")


def test_rates_per_community_for_the_street(conventions, django_assert_max_num_queries):
    n = conventions
    b_conv = ca.draft_convention(area=n.comm_b, title="德鑫社区居民公约", text=ARTICLES,
                                 acting_user=n.staff_b)
    ca.consult_on_convention(convention=b_conv, closes_at=timezone.now() + timedelta(days=1),
                             acting_user=n.staff_b)
    b_conv.refresh_from_db()
    end_consultation(b_conv)
    ca.publish_convention(convention=b_conv, acting_user=n.staff_b)
    ca.sign_convention(convention=b_conv, acting_user=n.conv_r4)
    ca.sign_convention(convention=n.published, acting_user=n.resident)
    with django_assert_max_num_queries(4):
        rows = sc.community_rates(n.street)
    assert [(r.community, len(r.conventions), r.total.households, r.total.signed,
             r.total.rate) for r in rows] == [(n.comm_a, 1, 5, 1, Decimal("20.0")),
                                             (n.comm_b, 1, 1, 1, Decimal("100.0"))]


def test_households_to_chase_for_the_building_head(conventions):
    n = conventions
    ca.sign_convention(convention=n.published, acting_user=n.conv_r1)
    [item] = sc.to_chase(n.head_b1)
    assert item["convention"] == n.published
    [row] = item["rates"].rows
    assert (row.building, row.households, row.signed) == (n.b1, 3, 1)
    rows = sc.building_households(n.published, n.b1)
    assert [(r["household"], r["signature"] is not None) for r in rows] == [
        (n.h1, True), (n.h2, False), (n.h5, False)]
    assert sc.to_chase(n.resident) == []
