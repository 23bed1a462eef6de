"""Similar open cases nearby, offered before a new report (附议)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.areas.actions import create_area
from gongzhi.areas.models import AreaKind
from gongzhi.cases import duplicates
from gongzhi.cases.duplicates import jaccard, neighbourhood, similar_open_cases
from gongzhi.cases.text import terms

LAMP = "3栋楼道的灯坏了，晚上很黑"


@pytest.fixture
def n(ledger):
    # A second building in grid A1, next to B1.
    ledger.b1b = create_area(kind=AreaKind.BUILDING, code="CA-G1-X1-B2", name="2栋",
                             parent=ledger.compound, acting_user=None)
    return ledger


def found(text, area, **kwargs):
    return [c for c, _score in similar_open_cases(text=text, area=area, **kwargs)]


def test_same_problem_in_other_words_is_offered_and_another_problem_is_not(n):
    lamp = n.new_case(title="楼道灯", description="三栋楼道灯不亮")
    n.new_case(title="垃圾", description="小区门口垃圾没人清理")
    got = similar_open_cases(text=LAMP, area=n.b1)
    assert [c for c, _s in got] == [lamp]
    assert 0.25 <= got[0][1] <= 1


def test_a_case_in_the_same_grid_is_offered_but_not_from_another_grid(n):
    neighbour = n.new_case(area=n.b1b, title="楼道灯", description="三栋楼道灯不亮")
    n.new_case(area=n.b2, title="楼道灯", description="三栋楼道灯不亮")  # grid A2
    n.new_case(area=n.b3, title="楼道灯", description="三栋楼道灯不亮")  # community B
    assert found(LAMP, n.b1) == [neighbour]
    assert found(LAMP, n.compound) == [neighbour]


def test_closed_cases_are_never_offered(n):
    for status in ("archived", "rejected", "merged", "resolved"):
        n.new_case(status, title="楼道灯", description="三栋楼道灯不亮")
    assert found(LAMP, n.b1, limit=10) == []  # (the merge survivor is about a road)
    still_open = n.new_case(title="楼道灯", description="三栋楼道灯不亮")
    assert found(LAMP, n.b1, limit=10) == [still_open]


def test_each_open_status_is_offered(n):
    cases = {s: n.new_case(s, title="楼道灯", description="三栋楼道灯不亮")
             for s in ("submitted", "accepted", "dispatched", "in_progress", "escalated")}
    assert set(found(LAMP, n.b1, limit=10)) == set(cases.values())


def test_old_cases_are_not_offered(n):
    n.new_case(title="楼道灯", description="三栋楼道灯不亮",
               created_at=timezone.now() - timedelta(days=91))
    recent = n.new_case(title="楼道灯", description="三栋楼道灯不亮",
                        created_at=timezone.now() - timedelta(days=89))
    assert found(LAMP, n.b1) == [recent]


def test_best_first_then_same_building_then_limit(n):
    close = n.new_case(area=n.b1b, title="楼道灯坏了", description="3栋楼道的灯坏了，晚上很黑")
    here = n.new_case(title="楼道灯", description="三栋楼道灯不亮")
    there = n.new_case(area=n.b1b, title="楼道灯", description="三栋楼道灯不亮")
    got = similar_open_cases(text=LAMP, area=n.b1)
    assert [c for c, _s in got] == [close, here, there]
    assert got[0][1] == 1.0 and got[1][1] == got[2][1] < 1.0
    assert found(LAMP, n.b1, limit=2) == [close, here]


def test_the_case_itself_can_be_left_out(n):
    case = n.new_case(title="楼道灯", description="三栋楼道灯不亮")
    assert found("三栋楼道灯不亮", n.b1, exclude_id=case.pk) == []
    assert found("三栋楼道灯不亮", n.b1) == [case]


def test_no_words_no_duplicates(n):
    n.new_case(title="楼道灯", description="三栋楼道灯不亮")
    assert found("", n.b1) == [] and found("谢谢！", n.b1) == []


def test_neighbourhood_is_the_nearest_grid_else_the_community(n):
    assert neighbourhood(n.b1) == n.grid_a1
    assert neighbourhood(n.grid_a2) == n.grid_a2
    assert neighbourhood(n.b3) == n.comm_b  # community B has no grids
    assert neighbourhood(n.street) == n.street


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), {"a"}) == 0.0


def test_the_words_of_two_reports_of_one_lamp_overlap_enough():
    lamp, other, rubbish = (set(terms(t)) for t in (LAMP, "三栋楼道灯不亮", "小区门口垃圾没人清理"))
    assert jaccard(lamp, other) >= duplicates.THRESHOLD
    assert jaccard(lamp, rubbish) < duplicates.THRESHOLD


def test_queries_are_bounded(n, django_assert_max_num_queries):
    for i in range(4):
        n.new_case(area=n.b1b if i % 2 else n.b1, title="楼道灯", description="三栋楼道灯不亮")
    with django_assert_max_num_queries(3):
        assert len(found(LAMP, n.b1)) == 4


def test_only_the_newest_candidates_are_read(n, monkeypatch):
    now = timezone.now()
    cases = [n.new_case(title="楼道灯", description="三栋楼道灯不亮",
                        created_at=now - timedelta(days=d)) for d in (1, 2, 3)]
    monkeypatch.setattr(duplicates, "CANDIDATE_CAP", 2)
    assert found(LAMP, n.b1) == cases[:2]
