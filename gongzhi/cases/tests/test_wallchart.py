"""挂图作战: the board by status, deadline colours, the grid map and its counts."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.cases import wallchart
from gongzhi.cases.models import Case
from gongzhi.cases.selectors import cases_visible_to


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def overdue(case):
    Case.objects.filter(pk=case.pk).update(resolution_due=timezone.now() - timedelta(hours=1))


def due_soon(case):
    Case.objects.filter(pk=case.pk).update(resolution_due=timezone.now() + timedelta(hours=6))


@pytest.fixture
def wall(ledger):
    """Grid A1: 2 submitted, 1 dispatched overdue, 1 resolved; grid A2: 1 in progress due soon,
    1 escalated; plus closed cases that stay off the board."""
    n = ledger
    n.sub1 = n.new_case(area=n.b1, title="井盖缺失")
    n.sub2 = n.new_case(area=n.compound, title="楼道堆物")
    n.late = n.new_case("dispatched", area=n.b1, title="污水外溢")
    overdue(n.late)
    n.done = n.new_case("resolved", area=n.b1, title="已修好")
    n.soon = n.new_case("in_progress", area=n.b2, title="路灯不亮")
    due_soon(n.soon)
    n.up = n.new_case("escalated", area=n.b2, title="违建")
    n.new_case("archived", area=n.b1, title="归档的")
    n.new_case("rejected", area=n.b2, title="不受理的")
    return n


def test_board_columns_counts_and_colours(client, wall):
    n = wall
    board = wallchart.board(n.comm_a, cases_visible_to(n.staff_a))
    got = {c.label: (c.count, c.overdue, [card.case.pk for card in c.cards]) for c in board}
    assert got == {
        "待受理": (2, 0, [n.sub1.pk, n.sub2.pk]),
        "已受理 / 已派单": (1, 1, [n.late.pk]),
        "办理中": (1, 0, [n.soon.pk]),
        "已上报": (1, 0, [n.up.pk]),
        "已办结待评价": (1, 0, [n.done.pk]),
    }
    states = {card.case.pk: card.css for c in board for card in c.cards}
    assert states[n.late.pk] == "status-overdue"
    assert states[n.soon.pk] == "status-due-soon"
    assert states[n.done.pk] == "status-closed" or states[n.done.pk] == "status-on-time"


def test_wall_page_and_map_colours(client, wall):
    n = wall
    response = get(client, n.staff_a, "/cases/wall/CA/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "挂图作战" in html and "活龙社区" in html
    card = r'class="card-case status status-{}"[^>]*>\s*<span class="t">{}'
    assert re.search(card.format("overdue", "污水外溢"), html)
    assert re.search(card.format("due-soon", "路灯不亮"), html)
    svg = html[html.index("<svg"):html.index("</svg>")]
    # Grid A1 has an overdue case: red; grid A2 has one due soon: amber.
    a1 = re.search(r'href="/cases/wall/CA-G1/".*?fill="([^"]+)"', svg).group(1)
    a2 = re.search(r'href="/cases/wall/CA-G2/".*?fill="([^"]+)"', svg).group(1)
    assert (a1, a2) == (wallchart.FILL_OVERDUE, wallchart.FILL_DUE_SOON)
    # Each grid's name, and under it (a second line) its open and overdue cases.
    label = r'>{}<tspan x="[0-9.]+" dy="[0-9.]+">{}</tspan></text>'
    assert re.search(label.format("第一网格", "3件 超期1"), svg)
    assert re.search(label.format("第二网格", "2件"), svg)
    assert "在办 3 件，超期 1 件" in svg


def test_child_counts_and_fills(wall):
    n = wall
    counts = {c.node.code: c for c in wallchart.child_counts(n.comm_a,
                                                            cases_visible_to(n.staff_a))}
    # The two fresh reports are due soon: they must be accepted within the response hours.
    assert (counts["CA-G1"].open, counts["CA-G1"].overdue, counts["CA-G1"].due_soon) == (3, 1, 2)
    assert (counts["CA-G2"].open, counts["CA-G2"].overdue, counts["CA-G2"].due_soon) == (2, 0, 1)
    Case.objects.filter(pk=n.soon.pk).update(resolution_due=timezone.now() + timedelta(days=5))
    Case.objects.filter(area=n.b2).exclude(pk=n.soon.pk).update(status="archived")
    counts = {c.node.code: c for c in wallchart.child_counts(n.comm_a,
                                                            cases_visible_to(n.staff_a))}
    assert counts["CA-G2"].fill == wallchart.FILL_ON_TIME
    Case.objects.filter(area=n.b2).update(status="archived")
    counts = {c.node.code: c for c in wallchart.child_counts(n.comm_a,
                                                            cases_visible_to(n.staff_a))}
    assert counts["CA-G2"].fill == wallchart.FILL_NONE and counts["CA-G2"].open == 0


def test_grid_wall_and_scope(client, wall):
    n = wall
    html = get(client, n.worker_a1, "/cases/wall/CA-G1/").content.decode()
    assert "污水外溢" in html and "路灯不亮" not in html
    assert get(client, n.worker_a1, "/cases/wall/CA/").status_code == 404
    assert get(client, n.worker_a1, "/cases/wall/CA-G2/").status_code == 404
    assert get(client, n.staff_b, "/cases/wall/CA/").status_code == 404
    assert get(client, n.resident, "/cases/wall/CA-G1-X1-B1/").status_code == 403
    assert get(client, n.staff_a, "/cases/wall/NOPE/").status_code == 404


def test_query_count_does_not_grow_with_cases(client, wall):
    n = wall
    client.force_login(n.staff_a)
    with CaptureQueriesContext(connection) as before:
        client.get("/cases/wall/CA/")
    for i in range(20):
        n.new_case("dispatched" if i % 2 else "submitted", area=n.b2 if i % 3 else n.b1,
                   title=f"新增{i}")
    with CaptureQueriesContext(connection) as after:
        assert client.get("/cases/wall/CA/").status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)
    # session, user, grants and the header's own; then the active counts (1), every
    # column's cards (1), this month's KPIs (2), the map's children (1) and the parent.
    assert len(after.captured_queries) <= 17


def test_columns_show_the_most_urgent_cards_and_how_many_more(wall, monkeypatch):
    n = wall
    monkeypatch.setattr(wallchart, "CARDS_PER_COLUMN", 1)
    extra = n.new_case("dispatched", area=n.b2, title="更急")
    Case.objects.filter(pk=extra.pk).update(resolution_due=timezone.now() - timedelta(days=2))
    column = wallchart.board(n.comm_a, cases_visible_to(n.staff_a))[1]
    assert [c.case.pk for c in column.cards] == [extra.pk]
    assert (column.count, column.overdue, column.hidden) == (2, 2, 1)


def test_link_up_only_where_the_viewer_may_look(client, wall):
    n = wall
    up = 'href="/cases/wall/CA/"'
    assert up not in get(client, n.worker_a1, "/cases/wall/CA-G1/").content.decode()
    assert up in get(client, n.staff_a, "/cases/wall/CA-G1/").content.decode()


def test_headline_counts_open_work_and_this_months_rates(client, wall):
    n = wall
    h = wallchart.headline(n.comm_a, cases_visible_to(n.staff_a))
    # Open: sub1, sub2, late, soon, up; the two fresh reports are due within the response hours.
    assert (h.open, h.overdue, h.due_soon) == (5, 1, 3)
    assert h.month.total == 8  # everything above was reported this month, closed ones too
    html = get(client, n.staff_a, "/cases/wall/CA/").content.decode()
    start = html.index('class="headline"')
    strip = html[start:html.index("</ul>", start)]
    figures = re.findall(r'<span class="n">([^<]+)</span><span class="l">([^<]+)</span>', strip)
    assert figures[:4] == [("5", "在办诉求"), ("1", "已超期"), ("3", "24 小时内到期"),
                           ("8", "本月上报")]
    assert 'class="overdue"' in strip and 'href="/cases/kpi/CA/"' in html


def test_a_rate_with_nothing_counted_says_so(client, ledger):
    """Community B has no case this month: its three rates say that nothing was due, rated or
    accepted yet, and never read 0.0 %."""
    html = get(client, ledger.street_staff, "/cases/wall/CB/").content.decode()
    start = html.index('class="headline"')
    strip = html[start:html.index("</ul>", start)]
    assert "%" not in strip
    for why in ("本月尚无应响应的诉求", "本月尚无受理的诉求", "本月尚无评价"):
        assert f'<span class="why">{why}</span>' in strip
