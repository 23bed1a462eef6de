"""The street's board of the year and its Excel ledger: who sees which projects, figures
equal to each project's own, totals the ledger repeats, and flat query counts."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.areas.models import AreaNode
from gongzhi.renewal import actions as ra
from gongzhi.renewal.excel import XLSX
from gongzhi.renewal.models import Category, SourceKind, Stage
from gongzhi.renewal.selectors import funding_summary, progress_percent
from gongzhi.renewal.tests.pages import html

M = "/renewal/manage"
YEAR = timezone.localdate().year


def b_project(n, name: str = "德鑫小区改造", budget: str = "200000"):
    """A project of community B (staff_b), in this year's batch, with money from two sources."""
    compound = AreaNode.objects.get(code="CB-X1")
    ra.save_compound_record(compound=compound, built_year=1990, floor_area="1500",
                            acting_user=n.staff_b)
    project = ra.create_project(name=name, compounds=[compound], batch=n.batch,
                                acting_user=n.staff_b)
    ra.add_item(project=project, category=Category.BASIC, name="屋面防水", budget=budget,
                acting_user=n.staff_b)
    ra.set_source(project=project, kind=SourceKind.LOCAL, amount="150000",
                  acting_user=n.staff_b)
    ra.set_source(project=project, kind=SourceKind.RESIDENTS, amount="30000",
                  acting_user=n.staff_b)
    return project


@pytest.fixture
def board(in_works):
    """Community A's project in works with money committed and partly spent, part of one
    item finished; community B's project in reserve; one project of last year."""
    n = in_works
    sewer = n.items[0]
    ra.commit_funds(item=sewer, source=n.central, amount="300000", acting_user=n.staff_a)
    ra.record_payment(item=sewer, source=n.central, amount="90000", acting_user=n.staff_a)
    ra.start_item(item=sewer, acting_user=n.staff_a)
    ra.log_progress(item=sewer, note="管道铺设过半", progress=50, acting_user=n.staff_a)
    n.b_project = b_project(n)
    old = ra.create_batch(year=YEAR - 1, name="上年批次", area=n.street,
                          acting_user=n.street_staff)
    n.old = ra.create_project(name="上年项目", compounds=[n.compound], batch=old,
                              acting_user=n.staff_a)
    return n


def board_rows(client, user, query: str = ""):
    client.force_login(user)
    response = client.get(f"{M}/board/{query}")
    assert response.status_code == 200
    return response, {row.name: row for row, _url in response.context["rows"]}


@pytest.mark.parametrize(("who", "status"), [
    ("resident", 403), ("worker_a1", 403), ("builder", 403), ("head_b1", 403),
])
def test_only_renewal_staff_get_in(client, board, who, status):
    client.force_login(getattr(board, who))
    assert client.get(f"{M}/board/").status_code == status
    assert client.get(f"{M}/board/ledger.xlsx").status_code == status


def test_street_staff_see_every_community_community_staff_their_own(client, board):
    _r, street = board_rows(client, board.street_staff)
    assert set(street) == {"铁路小区老旧小区改造", "德鑫小区改造"}
    assert {r.community for r in street.values()} == {"活龙社区", "德鑫社区"}
    _r, own = board_rows(client, board.staff_b)
    assert set(own) == {"德鑫小区改造"}
    _r, last_year = board_rows(client, board.street_staff, f"?year={YEAR - 1}")
    assert set(last_year) == {"上年项目"}
    response, rows = board_rows(client, board.street_staff, "?year=abc")
    assert response.context["year"] == YEAR and len(rows) == 2


def test_each_row_shows_what_the_project_itself_shows(client, board):
    n = board
    response, rows = board_rows(client, n.street_staff)
    for project in (n.project, n.b_project):
        row, summary = rows[project.name], funding_summary(project)
        assert (row.budget, row.raised, row.spent) == (summary.budget, summary.raised,
                                                      summary.spent)
        assert row.residents_share == summary.residents_share_text
        assert row.progress == progress_percent(project)
        assert row.stage == project.stage
    first = rows[n.project.name]
    assert (first.progress, first.spent, first.residents_share) == (35, Decimal("90000"), "11.1%")
    assert first.households == 2 and first.compounds == "铁路小区"
    assert rows[n.b_project.name].residents_share == "16.7%"  # 30,000 of 180,000 raised
    totals = response.context["totals"]
    assert totals["budget"] == Decimal("710000") and totals["raised"] == Decimal("630000")
    assert totals["spent"] == Decimal("90000")
    stages = dict(response.context["stages"])
    assert (stages["实施"], stages["储备"], stages["验收"]) == (1, 1, 0)
    page = html(response)
    assert 'id="board-totals"' in page and "710,000.00" in page and "630,000.00" in page


def test_the_ledger_repeats_the_board(client, board):
    n = board
    response, rows = board_rows(client, n.street_staff)
    totals = response.context["totals"]
    ledger = client.get(f"{M}/board/ledger.xlsx?year={YEAR}")
    assert ledger.status_code == 200 and ledger["Content-Type"] == XLSX
    assert "renewal-ledger-" in ledger["Content-Disposition"]
    ws = load_workbook(io.BytesIO(ledger.content)).active
    assert ws.cell(1, 1).value == f"{YEAR}年度老旧小区改造台账"
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "区", "街道", "社区", "小区名称"]
    assert header[-3:] == ["验收时间", "阶段", "进度（%）"]
    col = {name: i for i, name in enumerate(header)}
    data = [r for r in ws.iter_rows(min_row=4, values_only=True)]
    *lines, total = data
    assert [r[0] for r in lines] == [1, 2] and total[0] == "合计"
    money = ["中央补助", "省级补助", "市县财政", "居民出资", "维修资金", "企业投入", "社会捐赠"]

    def dec(value) -> Decimal:
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))

    assert dec(total[col["总投资（元）"]]) == totals["budget"]
    assert sum(dec(total[col[m]]) for m in money) == totals["raised"]
    assert sum(dec(r[col["总投资（元）"]]) for r in lines) == totals["budget"]
    assert sum(dec(r[col[m]]) for r in lines for m in money) == totals["raised"]
    by_name = {r[col["小区名称"]]: r for r in lines}
    sewer = by_name["铁路小区"]
    assert (sewer[1], sewer[2], sewer[3]) == ("示范区", "幸福街道", "活龙社区")
    assert (sewer[col["建成年份"]], sewer[col["楼栋数"]], sewer[col["户数"]]) == ("1992", 1, 2)
    assert sewer[col["基础类内容"]] == "雨污分流" and sewer[col["提升类内容"]] == "适老化扶手"
    assert dec(sewer[col["中央补助"]]) == Decimal("400000.00")
    assert sewer[col["阶段"]] == "实施" and sewer[col["进度（%）"]] == rows[n.project.name].progress
    assert sewer[col["实际开工"]].date() == timezone.localtime(n.project.started_at).date()
    assert dec(by_name["德鑫小区"][col["建筑面积（m²）"]]) == Decimal("1500.00")


def test_queries_stay_flat_as_projects_grow(client, board):
    client.force_login(board.street_staff)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    page, ledger = count(f"{M}/board/"), count(f"{M}/board/ledger.xlsx")
    for i in range(4):
        project = ra.create_project(name=f"铁路小区二期{i}", compounds=[board.compound],
                                    batch=board.batch, acting_user=board.staff_a)
        ra.add_item(project=project, category=Category.IMPROVEMENT, name="增设充电桩",
                    budget="5000", acting_user=board.staff_a)
        ra.set_source(project=project, kind=SourceKind.ENTERPRISE, amount="5000",
                      acting_user=board.staff_a)
    assert count(f"{M}/board/") == page
    assert count(f"{M}/board/ledger.xlsx") == ledger


def test_a_project_without_batch_counts_by_its_planned_start(client, board):
    project = ra.create_project(name="零星改造", compounds=[board.compound],
                                planned_start=date(YEAR, 3, 1), acting_user=board.staff_a)
    _r, rows = board_rows(client, board.staff_a)
    assert rows["零星改造"].planned_start == date(YEAR, 3, 1)
    assert rows["零星改造"].stage == Stage.RESERVE and project.pk == rows["零星改造"].project_id
    _r, rows = board_rows(client, board.staff_a, f"?year={YEAR + 1}")
    assert rows == {}
