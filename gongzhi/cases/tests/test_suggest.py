"""Category suggestions: keywords on day one, then learning from how staff classify cases."""

import threading
import time

import pytest
from django.db import connection, transaction

from gongzhi.cases import actions
from gongzhi.cases.models import Case, Category, CategoryTerm
from gongzhi.cases.suggest import learn, suggest_categories


def names(suggestions) -> list[str]:
    return [c.name for c, _score in suggestions]


@pytest.fixture
def unnamed(ledger):
    """Two categories with no keywords and names that say nothing: whatever they get, they
    learned (噪音扰民 and 消防通道, really)."""
    ledger.noise = Category.objects.create(code="noise", name="甲")
    ledger.fire_lane = Category.objects.create(code="fire_lane", name="乙")
    return ledger


def counts(category: Category) -> dict[str, int]:
    return dict(category.terms.values_list("term", "count"))


# --- keywords alone ---------------------------------------------------------------------


def test_keywords_alone_suggest_on_an_empty_history(ledger):
    assert not CategoryTerm.objects.exists()
    got = suggest_categories("幸福里东门的路灯不亮，晚上很黑")
    assert names(got)[0] == "路灯不亮"
    assert names(suggest_categories("楼下垃圾堆放好几天没人清运"))[0] == "垃圾清运"
    assert names(suggest_categories("路面坑洼，雨天积水"))[0] == "道路破损"


def test_no_evidence_means_no_suggestion(ledger):
    assert suggest_categories("今天天气不错") == []
    assert suggest_categories("") == []
    assert suggest_categories("，。！") == []


def test_a_category_without_keywords_is_found_by_its_name(ledger):
    Category.objects.create(code="parking", name="停车难")
    assert names(suggest_categories("晚上回来停车难，到处找不到车位"))[0] == "停车难"


def test_scores_are_normalised_and_sorted(ledger):
    got = suggest_categories("路灯不亮，门口道路坑洼，垃圾堆放", limit=5)
    scores = [s for _c, s in got]
    assert len(got) == 3
    assert all(0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) <= 1 + 1e-9


def test_limit_is_respected(ledger):
    assert len(suggest_categories("路灯不亮，门口道路坑洼，垃圾堆放", limit=2)) == 2
    assert suggest_categories("路灯不亮", limit=0) == []


def test_inactive_categories_and_groups_are_not_suggested(ledger):
    ledger.municipal.keywords = "路灯 照明"
    ledger.municipal.save()
    ledger.light.is_active = False
    ledger.light.save()
    got = names(suggest_categories("路灯不亮，照明坏了", limit=5))
    assert "路灯不亮" not in got and "市政设施" not in got


# --- learning ---------------------------------------------------------------------------


NOISE_REPORTS = ["楼上装修噪音太大，中午也不停", "楼下烧烤店晚上噪音扰民",
                 "广场舞音响声音太大，吵得睡不着", "夜里施工噪音，影响休息"]
FIRE_REPORTS = ["楼道堆放杂物，堵塞消防通道", "消防通道被电动车堵住",
                "楼道里堆满纸箱杂物，很危险"]


def test_staff_classifications_teach_the_right_category(unnamed):
    n = unnamed
    assert suggest_categories("隔壁装修噪音一直不停") == []  # nothing known yet
    for text in NOISE_REPORTS:
        n.new_case("accepted", title="反映问题", description=text, category=n.noise)
    for text in FIRE_REPORTS:
        n.new_case("accepted", title="反映问题", description=text, category=n.fire_lane)
    assert counts(n.noise)["噪音"] == 3  # one per case that used the word
    assert names(suggest_categories("隔壁装修噪音一直不停"))[0] == "甲"
    assert names(suggest_categories("三楼楼道杂物太多"))[0] == "乙"


def test_learning_counts_each_term_once_per_case(unnamed):
    n = unnamed
    case = n.new_case("accepted", title="噪音", description="噪音噪音，还是噪音",
                      category=n.noise)
    assert counts(n.noise)["噪音"] == 1
    learn(case)
    assert counts(n.noise)["噪音"] == 2


def test_building_numbers_teach_nothing(unnamed):
    n = unnamed
    n.new_case("accepted", title="3栋噪音", description="三栋楼下噪音", category=n.noise)
    assert set(counts(n.noise)) == {"楼下", "噪音"}
    assert suggest_categories("3栋") == []


def test_a_case_without_category_or_words_teaches_nothing(unnamed):
    case = unnamed.new_case("submitted", title="，", description="。")
    learn(case)
    case.category = unnamed.noise
    learn(case)
    assert not CategoryTerm.objects.exists()


def test_reclassification_moves_the_evidence(unnamed):
    n = unnamed
    text = "楼道堆放杂物，没法通行"
    cases = [n.new_case("accepted", title="楼道杂物", description=d, category=n.garbage)
             for d in ("楼道堆放杂物", "楼道杂物堆放，没法通行", "杂物堆满楼道")]
    assert names(suggest_categories(text))[0] == "垃圾清运"
    for case in cases:
        case.category = n.fire_lane
        learn(case, unlearn=n.garbage)  # what reclassify_case teaches
    assert names(suggest_categories(text))[0] == "乙"
    assert counts(n.garbage).get("杂物") == 0


def test_reclassify_action_learns_the_new_category(unnamed):
    n = unnamed
    case = n.new_case("accepted", title="楼道杂物", description="楼道堆放杂物",
                      category=n.garbage)
    actions.reclassify_case(case=case, category=n.fire_lane, acting_user=n.staff_a)
    assert counts(n.fire_lane)["杂物"] == 1


def test_unlearning_never_goes_below_zero(unnamed):
    n = unnamed
    case = n.new_case("submitted", title="楼道杂物", description="楼道堆放杂物")
    case.category = n.fire_lane
    learn(case, unlearn=n.noise)
    assert counts(n.fire_lane)["杂物"] == 1 and counts(n.noise) == {}


def test_suggestion_cost_does_not_grow_with_history(unnamed, django_assert_max_num_queries):
    n = unnamed
    for text in NOISE_REPORTS + FIRE_REPORTS:
        n.new_case("accepted", title="反映问题", description=text, category=n.noise)
    with django_assert_max_num_queries(2):
        suggest_categories("装修噪音，楼道杂物，路灯不亮")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_staff_classifying_at_the_same_moment_lose_no_counts():
    category = Category.objects.create(code="noise", name="噪音扰民")
    workers, barrier, errors = 4, threading.Barrier(4), []

    def classify() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                learn(Case(terms="装修 噪音 新词", category=category))
                time.sleep(0.2)  # keep the transaction open so the others collide
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=classify) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert counts(category) == {"装修": workers, "噪音": workers, "新词": workers}
