"""The demo street's old-compound renovation (老旧小区改造), loaded once through the renewal
actions, by the demo's own staff.

Every compound has its record (一院一档). 铁路二村 (home of the demo ``resident``) is in works:
its needs survey is closed, its 53-item plan passed the owners' vote under art. 278, the
street approved it, money comes from six sources, underground works are done first (先地下、
后地上) and its residents supervise — ``head_1`` inspects (one problem became a case for the
contractor), ``resident`` is a representative. 铁路一村 (``head_2``'s home) was accepted item by
item, one roof redone after the residents refused it, its money published and a property
company with a residents' convention looks after it. 农机厂宿舍 (``head_3``'s home) is being
planned, its survey open; a few more compounds wait in reserve (实施一批、谋划一批、储备一批).

Actions stamp the present; what happened months ago is dated afterwards (as the deliberation
demo does with its ballots), so the pages read as a real year of work.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from gongzhi.accounts.actions import create_organisation
from gongzhi.accounts.models import Organisation, OrgKind, User
from gongzhi.areas.models import AreaKind, AreaNode, Household, Resident, Tenure
from gongzhi.cases import actions as cases
from gongzhi.cases.models import Category as CaseCategory
from gongzhi.core import audit
from gongzhi.core.permissions import Role
from gongzhi.core.tree import ancestor_paths, subtree_q
from gongzhi.deliberation import actions as da
from gongzhi.deliberation.models import Ballot, Council, CouncilKind, PollUnit, Resolution
from gongzhi.demo import street as demo_street
from gongzhi.demo.logins import ORG_PREFIX
from gongzhi.renewal import actions as ra
from gongzhi.renewal.actions.projects import vote_result
from gongzhi.renewal.actions.survey import project_households
from gongzhi.renewal.models import (
    Batch,
    Category,
    CompoundRecord,
    Management,
    Project,
    SourceKind,
    Survey,
    SurveyResponse,
    WorkItem,
)

SEED = "gongzhi-demo-renewal"
B, M, E = Category.BASIC, Category.IMPROVEMENT, Category.ENHANCEMENT  # 基础 / 完善 / 提升
C = SourceKind

# The needs survey of 铁路二村: (category, option, how many households in a hundred ask).
RAIL2_OPTIONS = (
    (B, "雨污分流", 82), (B, "屋面防水", 74), (B, "外墙修缮", 61), (B, "强弱电入地（理飞线）", 66),
    (B, "楼道整治", 58), (B, "供水管网改造", 47), (M, "增设停车位", 70), (M, "电动汽车充电桩", 28),
    (M, "电动自行车充电棚", 52), (M, "增设路灯", 55), (M, "绿化补植", 33), (M, "智能快递柜", 30),
    (M, "无障碍坡道", 24), (E, "休闲广场", 36), (E, "文化长廊", 22), (E, "适老化扶手", 45),
    (E, "儿童游乐场", 19), (E, "居民议事亭", 17),
)
COMMENTS = ("顶楼漏水好多年了，屋面请优先做", "施工期间请保障老人出行，晚上不要施工",
            "车位优先给本小区业主", "扶手每层都要装，老人上下楼吃力", "希望保留小区里的老樟树",
            "飞线太多，雷雨天很危险", "广场舞场地离楼栋远一点")
# 铁路二村's plan, 53 items (21 basic, 19 improvement, 13 enhancement): name, quantity, unit,
# budget (元), the survey option it answers, and where the works stand (done / % / not begun).
RAIL2_ITEMS = (
    (B, "雨污分流改造", 1260, "米", 462000, "雨污分流", "done"),
    (B, "化粪池清掏改造", 3, "座", 54000, "雨污分流", "done"),
    (B, "排水沟清淤疏通", 860, "米", 25800, "雨污分流", "done"),
    (B, "窨井盖更换", 48, "个", 14400, None, "done"),
    (B, "供水管网改造", 980, "米", 176400, "供水管网改造", "done"),
    (B, "燃气管道更换", 620, "米", 124000, None, "done"),
    (B, "强弱电入地（架空线缆下地）", 1500, "米", 285000, "强弱电入地（理飞线）", 80),
    (B, "消防管网及消火栓更新", 12, "处", 72000, None, 60),
    (B, "违章搭建拆除", 450, "m²", 22500, None, "done"),
    (B, "屋面防水（1栋）", 620, "m²", 80600, "屋面防水", "done"),
    (B, "屋面防水（2栋）", 480, "m²", 62400, "屋面防水", 90),
    (B, "屋面防水（3栋）", 480, "m²", 62400, "屋面防水", 40),
    (B, "屋面防水（4栋）", 540, "m²", 70200, "屋面防水", 0),
    (B, "外墙修缮（1栋、2栋）", 2900, "m²", 159500, "外墙修缮", 50),
    (B, "外墙修缮（3栋、4栋）", 2700, "m²", 148500, "外墙修缮", 0),
    (B, "外墙保温", 5600, "m²", 308000, "外墙修缮", 0),
    (B, "楼道整治（墙面粉刷、线槽规整）", 8, "个单元", 96000, "楼道整治", 30),
    (B, "单元门及门禁更换", 8, "樘", 28000, "楼道整治", 0),
    (B, "空调机位及防盗网规整", 90, "户", 36000, "外墙修缮", 0),
    (B, "小区道路修复（沥青罩面）", 3800, "m²", 228000, None, 0),
    (B, "楼道消防器材配置", 16, "套", 9600, None, 0),
    (M, "增设停车位", 36, "个", 108000, "增设停车位", 60),
    (M, "小区出入口道闸", 2, "套", 36000, "增设停车位", 0),
    (M, "电动汽车充电桩", 8, "个", 64000, "电动汽车充电桩", 0),
    (M, "电动自行车充电棚", 2, "座", 68000, "电动自行车充电棚", "done"),
    (M, "非机动车棚", 1, "座", 32000, "电动自行车充电棚", 0),
    (M, "新增 LED 路灯", 24, "盏", 57600, "增设路灯", "done"),
    (M, "楼道声控照明", 48, "盏", 9600, "增设路灯", "done"),
    (M, "无障碍坡道", 6, "处", 36000, "无障碍坡道", 0),
    (M, "绿化补植", 1600, "m²", 96000, "绿化补植", 0),
    (M, "智能快递柜", 2, "组", 24000, "智能快递柜", 10),
    (M, "垃圾分类投放亭", 3, "座", 45000, None, 0),
    (M, "安防监控", 32, "路", 76800, None, 50),
    (M, "休闲座椅", 20, "组", 24000, None, 0),
    (M, "公共晾晒架", 10, "组", 12000, None, 0),
    (M, "信报箱更换", 8, "组", 12800, None, 0),
    (M, "消防通道标线", 650, "米", 9750, None, 0),
    (M, "围墙修缮", 420, "米", 63000, None, 0),
    (M, "户外健身器材", 1, "套", 28000, None, 0),
    (M, "物业服务用房修缮", 60, "m²", 30000, None, 0),
    (E, "休闲广场", 1200, "m²", 216000, "休闲广场", 0),
    (E, "铁路文化长廊", 80, "米", 96000, "文化长廊", 0),
    (E, "文化墙彩绘", 420, "m²", 33600, "文化长廊", 0),
    (E, "适老化扶手", 8, "个单元", 32000, "适老化扶手", 20),
    (E, "楼道适老化休息座椅", 32, "个", 6400, "适老化扶手", 0),
    (E, "儿童游乐场", 300, "m²", 84000, "儿童游乐场", 0),
    (E, "居民议事亭", 1, "座", 48000, "居民议事亭", 0),
    (E, "口袋公园", 650, "m²", 117000, None, 0),
    (E, "党群服务驿站", 80, "m²", 96000, None, 0),
    (E, "老年助餐点", 1, "处", 60000, None, 0),
    (E, "健身步道", 380, "米", 45600, None, 0),
    (E, "景观照明", 1, "项", 36000, None, 0),
    (E, "智慧社区服务平台", 1, "项", 50000, None, 0),
)
# 铁路一村, accepted last year: smaller, the same kinds of work.
RAIL1_OPTIONS = ((B, "雨污分流", 80), (B, "屋面防水", 85), (B, "外墙修缮", 60),
                 (B, "楼道整治", 55), (M, "增设停车位", 50), (M, "增设路灯", 60),
                 (M, "绿化补植", 30), (E, "适老化扶手", 50), (E, "文化墙", 20))
RAIL1_ITEMS = (
    (B, "雨污分流改造", 520, "米", 187200, "雨污分流", ""),
    (B, "强弱电入地（架空线缆下地）", 600, "米", 114000, None, ""),
    (B, "屋面防水（1栋）", 640, "m²", 83200, "屋面防水", ""),
    (B, "屋面防水（2栋）", 300, "m²", 39000, "屋面防水", "refused"),
    (B, "外墙修缮", 2100, "m²", 115500, "外墙修缮", ""),
    (B, "楼道整治（墙面粉刷、线槽规整）", 3, "个单元", 36000, "楼道整治", ""),
    (M, "增设停车位", 14, "个", 42000, "增设停车位", ""),
    (M, "新增 LED 路灯", 10, "盏", 24000, "增设路灯", ""),
    (M, "绿化补植", 600, "m²", 36000, "绿化补植", ""),
    (M, "智能快递柜", 1, "组", 12000, None, ""),
    (E, "适老化扶手", 3, "个单元", 12000, "适老化扶手", ""),
    (E, "铁路文化墙", 160, "m²", 14400, "文化墙", ""),
)
# 农机厂宿舍, being planned: the survey is open and the first items are drafted.
PLAN_OPTIONS = ((B, "雨污分流", 75), (B, "屋面防水", 70), (B, "外墙修缮", 50),
                (B, "供水管网改造", 55), (M, "增设停车位", 60), (M, "增设路灯", 45),
                (M, "电动自行车充电棚", 40), (E, "适老化扶手", 45), (E, "休闲广场", 25))
PLAN_ITEMS = ((B, "雨污分流改造", 900, "米", 324000, "雨污分流"),
              (B, "屋面防水", 1500, "m²", 195000, "屋面防水"),
              (M, "增设停车位", 24, "个", 72000, "增设停车位"))
# How each kind of work is paid (share per source); the residents' part is small.
SHARES = {
    "pipes": ((C.ENTERPRISE, "0.5"), (C.CENTRAL, "0.5")),  # 管线单位 pay for their lines
    "roof": ((C.CENTRAL, "0.6"), (C.REPAIR_FUND, "0.4")),
    B: ((C.CENTRAL, "0.6"), (C.PROVINCIAL, "0.25"), (C.LOCAL, "0.15")),
    M: ((C.LOCAL, "0.6"), (C.PROVINCIAL, "0.25"), (C.RESIDENTS, "0.15")),
    E: ((C.LOCAL, "0.8"), (C.RESIDENTS, "0.2")),
}
SOURCE_NOTES = {C.CENTRAL: "中央预算内投资补助", C.PROVINCIAL: "省级老旧小区改造专项",
                C.LOCAL: "冷水滩区财政配套", C.RESIDENTS: "居民按户自愿出资",
                C.REPAIR_FUND: "经业主表决使用住宅专项维修资金",
                C.ENTERPRISE: "电力、通信、燃气管线单位出资"}
STEPS = ("材料进场，已经居民监督员现场查验", "完成基层处理和放线", "分段施工，已完成东侧",
         "隐蔽工程已拍照留档，待监督员查验", "主体施工基本完成，正在收尾")
FACILITIES_OLD = ("自行车棚", "公共晾晒场", "门卫室", "垃圾收集点", "老年活动室", "小区围墙")
FACILITIES_NEW = ("地下停车库", "门禁和监控", "儿童游乐区", "健身器材", "快递柜", "电动车充电桩")
PROBLEMS_OLD = ("雨污混流，雨季化粪池外溢", "架空线缆杂乱，飞线多", "屋面渗漏，顶层住户反映多年",
                "外墙砖脱落，存在安全隐患", "楼道墙面破损、照明缺失", "路面坑洼，雨天积水",
                "停车位不足，车辆占用消防通道", "无障碍设施缺失，老人出行不便",
                "供水管道老化，水压不足", "缺少休闲活动场地", "违章搭建较多")
PROBLEMS_NEW = ("停车位紧张", "电动自行车充电设施不足", "")
CONVENTION = """铁路一村居民公约
一、爱护改造成果：不在外墙、楼道乱贴乱画，不私拉飞线，不损坏路灯、扶手和绿化。
二、车辆按划线车位停放，不占用消防通道和无障碍坡道；电动自行车进棚充电，不进楼道。
三、垃圾分类定时定点投放，装修垃圾袋装后堆放到指定地点。
四、物业费按月缴纳；公共部位维修由业主代表和物业共同商议，资金使用每季度公开。
五、邻里和睦，有事先到议事亭商量；居民监督员每月巡查一次，问题及时报社区。"""


def load_demo_renewal(*, now: datetime | None = None) -> int:
    """Load once; returns the number of projects created (0: no demo street, or compound
    records are there already)."""
    with transaction.atomic():
        street = AreaNode.objects.filter(code=demo_street.STREET_CODE).first()
        if street is None or CompoundRecord.objects.filter(
                subtree_q(street.path, "area_path")).exists():
            return 0
        loader = _Loader(street, now or timezone.now())
        loader.load()
        audit.record(actor=None, action="demo.load_renewal", obj=street,
                     after={"records": loader.records, "projects": loader.projects})
        return loader.projects


def _date(obj, **fields) -> None:
    """Give an action's row the time it happened (the action stamped the present)."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)


@dataclass
class _Site:
    compound: AreaNode
    staff: User | None
    project: Project | None = None


class _Loader:
    def __init__(self, street: AreaNode, now: datetime) -> None:
        self.street, self.now = street, now
        self.today = min(timezone.localdate(now), timezone.localdate())
        self.rng = random.Random(SEED)
        self.users = {u.username: u for u in User.objects.filter(username__in=[
            "street", "resident", "head_1", "head_2", "head_3", "contractor", "staff_hlj",
            "staff_tlxc", "staff_bj"]).select_related("resident__household")}
        self.records = self.projects = 0
        self.batches: dict[int, Batch] = {}
        self.used: set[int] = set()

    def load(self) -> None:
        self.contractor = self._contractor()
        builder = self.user("contractor")  # the contractor's login logs the works
        self.builder = builder if builder and self.contractor.members.filter(
            pk=builder.pk).exists() else None
        self.compound_records()
        rail1 = self.home_site("head_2")
        if rail1:
            self.accepted(rail1)
        rail2 = self.home_site("resident")
        if rail2:
            self.in_works(rail2)
        planning = self.home_site("head_3")
        if planning:
            self.planning(planning)
        self.reserve()

    # --- helpers ------------------------------------------------------------------------

    def at(self, days_ago: float, hour: int = 10) -> datetime:
        local = timezone.localtime(self.now - timedelta(days=days_ago))
        moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        return min(moment, self.now - timedelta(minutes=30))

    def day(self, days_ago: float) -> date:
        return min(timezone.localdate(self.now - timedelta(days=days_ago)), self.today)

    def user(self, name: str) -> User | None:
        return self.users.get(name)

    def staff_of(self, node: AreaNode) -> User | None:
        community = AreaNode.objects.get(path=node.path[:len(self.street.path) + 6])
        return self.user(f"staff_{community.code.rsplit('-', 1)[-1].lower()}")

    def grid_worker(self, compound: AreaNode) -> User | None:
        return User.objects.filter(role_grants__role=Role.GRID_WORKER,
                                   role_grants__area__path__in=ancestor_paths(compound.path)
                                   ).first()

    def batch(self, year: int) -> Batch:
        if year not in self.batches:
            self.batches[year] = ra.create_batch(year=year, name=f"{year}年老旧小区改造第一批",
                                                 area=self.street, acting_user=self.user("street"))
        return self.batches[year]

    def _contractor(self) -> Organisation:
        return (Organisation.objects.filter(kind=OrgKind.CONTRACTOR, areas=self.street).first()
                or create_organisation(kind=OrgKind.CONTRACTOR, code=f"{ORG_PREFIX}-SG-XJ",
                                       name="永州湘建建设工程有限公司", areas=[self.street],
                                       acting_user=None))

    def home_site(self, username: str) -> _Site | None:
        """The compound a demo login lives in, if it may be renovated and is still free."""
        home = getattr(getattr(self.user(username), "resident", None), "household", None)
        compound = home.building.parent if home else None
        if compound is None or compound.pk in self.used or not compound.renewal_record.eligible:
            return None
        self.used.add(compound.pk)
        return _Site(compound, self.staff_of(compound))

    def accounts(self, compound: AreaNode, count: int, *, skip=()) -> list[User]:
        """Residents who answer on their phones have accounts (not printed logins)."""
        heads = list(Resident.objects.filter(
            household__area_path__startswith=compound.path, is_head=True, user__isnull=True)
            .exclude(household_id__in=skip).order_by("pk"))
        chosen = self.rng.sample(heads, min(count, len(heads)))
        password = make_password(None)
        User.objects.bulk_create([User(username=f"res_{r.pk}", full_name=r.name, resident=r,
                                       password=password) for r in chosen])
        return list(User.objects.filter(resident__in=chosen).select_related(
            "resident__household").order_by("pk"))

    # --- compound records (一院一档) ------------------------------------------------------

    def compound_records(self) -> None:
        compounds = list(AreaNode.objects.filter(subtree_q(self.street.path),
                                                 kind=AreaKind.COMPOUND).order_by("path"))
        parent = dict(AreaNode.objects.filter(subtree_q(self.street.path),
                                              kind=AreaKind.BUILDING)
                      .values_list("pk", "parent_id"))
        area: dict[int, Decimal] = {}
        homes: dict[int, int] = {}
        buildings: dict[int, int] = {}
        for building_id, total, n in (Household.objects.filter(
                subtree_q(self.street.path, "area_path")).values("building_id")
                .annotate(total=Sum("floor_area"), n=Count("pk"))
                .values_list("building_id", "total", "n")):
            key = parent[building_id]
            area[key] = area.get(key, Decimal(0)) + (total or 0)
            homes[key] = homes.get(key, 0) + n
            buildings[key] = buildings.get(key, 0) + 1
        managers = {}
        for org in Organisation.objects.filter(kind=OrgKind.PROPERTY).prefetch_related("areas"):
            managers |= {a.pk: org for a in org.areas.all()}
        railway = Organisation.objects.filter(kind=OrgKind.CO_BUILDING).first()
        for compound in compounds:
            old = (compound.built_year or 0) < 2001
            manager = managers.get(compound.pk)
            if manager is not None or not old:
                management = Management.PROPERTY
            elif "段宿舍" in compound.name or "铁路医院" in compound.name:
                management = Management.EMPLOYER
                if railway is not None and railway.name.removeprefix("永州") in compound.name:
                    manager = railway
            else:
                management = self.rng.choice([Management.NONE, Management.NONE, Management.SELF])
            kind = "多层砖混住宅，无电梯" if old else "住宅，有电梯"
            extras = self.rng.sample(FACILITIES_OLD if old else FACILITIES_NEW, 3)
            problems = (self.rng.sample(PROBLEMS_OLD, self.rng.randint(3, 5)) if old
                        else [p for p in [self.rng.choice(PROBLEMS_NEW)] if p])
            ra.save_compound_record(
                compound=compound, acting_user=self.staff_of(compound),
                built_year=compound.built_year,
                floor_area=area.get(compound.pk, Decimal(0)).quantize(Decimal("0.01")) or None,
                management=management, manager=manager,
                facilities=(f"{buildings.get(compound.pk, 0)} 栋{kind}，"
                            f"{homes.get(compound.pk, 0)} 户；" + "、".join(extras)),
                problems="；".join(problems))
            self.records += 1

    # --- one project through its stages ---------------------------------------------------

    def project(self, site: _Site, *, year: int | None, created: float, summary: str,
                planned: tuple[date, date] | None = None) -> Project:
        project = ra.create_project(
            name=f"{site.compound.name}老旧小区改造项目", compounds=[site.compound],
            batch=self.batch(year) if year else None, summary=summary,
            planned_start=planned[0] if planned else None,
            planned_end=planned[1] if planned else None, acting_user=site.staff)
        _date(project, created_at=self.at(created))
        self.projects += 1
        site.project = project
        return project

    def survey(self, site: _Site, options, *, opens: float, closes: float | None,
               online: list[User], door: float, keep_open_for: set[int] = frozenset()
               ) -> Survey:
        """问需于民: residents answer on their phones, staff enter the rest door to door."""
        staff, project = site.staff, site.project
        survey = ra.create_survey(
            project=project, title=f"{site.compound.name}改造需求调查",
            closes_at=timezone.now() + timedelta(days=14), acting_user=staff,
            intro="改不改、改哪里、怎么改，居民说了算。请勾选您家最希望改造的内容（可多选），"
                  "每户填写一份。",
            options=[(category, label) for category, label, _w in options])
        survey = ra.open_survey(survey=survey, acting_user=staff)
        weights = {label: w for _c, label, w in options}
        by_label = {o.label: o for o in survey.options.all()}

        def picks():
            chosen = [o for label, o in by_label.items()
                      if self.rng.random() * 100 < weights[label]]
            return chosen or [by_label[options[0][1]]]

        def comment():
            return self.rng.choice(COMMENTS) if self.rng.random() < 0.15 else ""

        for user in online:
            ra.answer_survey(survey=survey, choices=picks(), comment=comment(), acting_user=user)
        answered = {u.resident.household_id for u in online} | set(keep_open_for)
        visitor = self.grid_worker(site.compound) or staff
        households = list(project_households(project).exclude(
            pk__in=answered).exclude(tenure=Tenure.VACANT).order_by("area_path", "unit", "room"))
        for household in households[:int(len(households) * door)]:
            ra.enter_survey_answer(survey=survey, household=household, choices=picks(),
                                   comment=comment(), acting_user=visitor)
        end = self.at(closes, 18) if closes is not None else None
        window = (self.at(opens, 9), end or self.now - timedelta(hours=2))
        self._spread(SurveyResponse.objects.filter(survey=survey), "answered_at", *window)
        if end is None:
            _date(survey, opens_at=window[0])
            return survey
        survey = ra.close_survey(survey=survey, acting_user=staff)
        _date(survey, opens_at=window[0], closes_at=end)
        return survey

    def _spread(self, rows, field: str, start: datetime, end: datetime) -> None:
        rows = list(rows)
        span = (end - start).total_seconds()
        for row in rows:
            setattr(row, field, start + timedelta(seconds=self.rng.uniform(0.02, 0.98) * span))
        if rows:
            type(rows[0]).objects.bulk_update(rows, [field])

    def items(self, site: _Site, table, survey: Survey, begins: list[float]) -> list[WorkItem]:
        """The plan's lines, each planned to start ``begins[n]`` days ago (or ahead)."""
        needs = {o.label: o for o in survey.options.all()}
        made = []
        for (category, name, quantity, unit, budget, need, *_s), days in zip(table, begins,
                                                                            strict=True):
            begin = timezone.localdate(self.now - timedelta(days=days))
            made.append(ra.add_item(
                project=site.project, category=category, name=name, quantity=str(quantity),
                unit=unit, budget=str(budget), contractor=self.contractor, need=needs.get(need),
                planned_start=begin, planned_end=begin + timedelta(days=45),
                acting_user=site.staff))
        return made

    def vote_and_approve(self, site: _Site, *, opens: float, closes: float, approved: float,
                         council: Council | None = None) -> Project:
        """The plan to the owners (art. 278, 双四分之三), counted, the street approves."""
        staff = site.staff
        project = ra.put_plan_to_vote(project=site.project, acting_user=staff,
                                      opens_at=self.at(opens, 8), closes_at=self.at(closes, 18),
                                      council=council)
        poll = project.poll
        meeting = self.at(opens - 3, 19)
        for number, unit in enumerate(PollUnit.objects.filter(poll=poll).order_by("pk"), 1):
            draw = self.rng.random()
            if draw < 0.06:
                continue
            choice = "yes" if draw < 0.93 else ("no" if draw < 0.97 else "abstain")
            hands = number % 3 != 0
            da.enter_ballot(poll=poll, unit=unit, choice=choice,
                            source="hands" if hands else "paper", acting_user=staff,
                            record=(f"业主大会举手表决记录（{meeting:%m月%d日}）" if hands
                                    else f"纸质表决票第 {number} 号"))
        ballots = list(Ballot.objects.filter(poll=poll))
        span = (poll.closes_at - poll.opens_at).total_seconds()
        for ballot in ballots:
            ballot.cast_at = meeting if ballot.source == "hands" else poll.opens_at + timedelta(
                seconds=self.rng.uniform(0.05, 0.95) * span)
        Ballot.objects.bulk_update(ballots, ["cast_at"])
        da.close_poll(poll=poll, acting_user=staff, now=poll.closes_at)
        _date(poll, created_at=self.at(opens + 2))
        project.refresh_from_db()
        if vote_result(project) != "passed":
            raise RuntimeError(f"demo plan vote for {project} did not pass")
        project = ra.submit_plan(project=project, acting_user=staff)
        project = ra.decide_plan(project=project, approve=True, acting_user=self.user("street"),
                                 note="同意实施。请严格按方案施工，施工期间每周公示进度，"
                                      "做好安全文明施工和居民出行保障。")
        decided = self.at(approved, 15)
        _date(project.resolution, created_at=self.at(closes - 0.5), submitted_at=self.at(
            closes - 1), decided_at=decided)
        notice = project.resolution.notice
        _date(notice, created_at=decided, published_at=decided,
              period_ends_at=decided + timedelta(days=notice.period_days))
        return project

    def appoint(self, site: _Site, role: str, users: list[User], when: float) -> None:
        for user in users:
            member = ra.appoint_member(project=site.project, user=user, role=role,
                                       acting_user=site.staff)
            _date(member, appointed_at=self.at(when))

    def start_works(self, site: _Site, when: float) -> Project:
        project = ra.start_works(project=site.project, acting_user=site.staff)
        _date(project, started_at=self.at(when, 9))
        site.project = project
        return project

    def build(self, item: WorkItem, start: float, state, end: float = 1) -> None:
        """Works on one item: started, logged as it goes, finished (by the contractor)."""
        builder = self.builder
        ra.start_item(item=item, acting_user=builder, on=self.day(start))
        target = 100 if state == "done" else int(state)
        marks = [p for p in (30, 60, 90) if p < target] + ([target] if target < 100 else [])
        for number, progress in enumerate(marks):
            log = ra.log_progress(item=item, progress=progress, acting_user=builder,
                                  note=f"{item.name}：{STEPS[number % len(STEPS)]}，"
                                       f"累计完成约 {progress}%。")
            when = start - (start - end) * (number + 1) / (len(marks) + 1)
            _date(log, logged_at=self.at(when, 16))
        if target == 100:
            ra.finish_item(item=item, acting_user=builder, on=self.day(end))

    def fund(self, site: _Site, *, committed, paid, when: float, note: str) -> None:
        """Sources sized to the plan; money committed item by item (``committed(item)``),
        ``paid(item)`` of it paid out."""
        items = list(site.project.items.order_by("pk"))
        plan: dict[int, list[tuple[str, Decimal]]] = {}
        totals: dict[str, Decimal] = {}
        for item in items:
            key = ("pipes" if "强弱电" in item.name or "燃气" in item.name
                   else "roof" if "屋面" in item.name else item.category)
            shares = SHARES[key]
            rows, left = [], item.budget
            for number, (kind, share) in enumerate(shares):
                amount = left if number == len(shares) - 1 else (
                    item.budget * Decimal(share)).quantize(Decimal("0.01"))
                left -= amount
                rows.append((kind, amount))
                totals[kind] = totals.get(kind, Decimal(0)) + amount
            plan[item.pk] = rows
        sources = {}
        for kind, total in totals.items():
            amount = (total / 10000).quantize(Decimal(1), rounding=ROUND_UP) * 10000
            sources[kind] = ra.set_source(project=site.project, kind=kind, amount=str(amount),
                                          note=SOURCE_NOTES.get(kind, ""),
                                          acting_user=site.staff)
        for item in items:
            if not committed(item):
                continue
            for kind, amount in plan[item.pk]:
                allocation = ra.commit_funds(item=item, source=sources[kind], amount=amount,
                                             note="施工合同", acting_user=site.staff)
                _date(allocation, created_at=self.at(when))
                share = paid(item)
                if share:  # a week after the item was finished, or (part) after it began
                    done = item.actual_end or item.actual_start or self.day(when)
                    ra.record_payment(
                        item=item, source=sources[kind], acting_user=site.staff,
                        amount=(amount * share).quantize(Decimal("0.01")), note=note,
                        paid_on=min(done + timedelta(days=7), self.today))

    # --- 铁路一村: accepted and in long-term management -------------------------------------

    def facts(self, compound: AreaNode) -> str:
        """'铁路一村建于 1973 年，2 栋 38 户。改造前：…。' from the tree and the record."""
        homes = Household.objects.filter(subtree_q(compound.path, "area_path")).count()
        buildings = compound.children.filter(kind=AreaKind.BUILDING).count()
        problems = CompoundRecord.objects.get(compound=compound).problems
        return (f"{compound.name}建于 {compound.built_year} 年，{buildings} 栋 {homes} 户。"
                + (f"改造前：{problems}。" if problems else ""))

    def accepted(self, site: _Site) -> None:
        staff, head = site.staff, self.user("head_2")
        year = timezone.localdate(self.now - timedelta(days=420)).year
        self.project(site, year=year, created=420, planned=(self.day(350), self.day(120)),
                     summary=f"{self.facts(site.compound)}按“先地下、后地上”实施，"
                             "居民代表全程参与验收。")
        ra.start_planning(project=site.project, acting_user=staff)
        accounts = self.accounts(site.compound, 8)
        online = ([head] if head else []) + accounts
        survey = self.survey(site, RAIL1_OPTIONS, opens=405, closes=392, online=online, door=0.8)
        begins = [345 - number * 15 for number in range(len(RAIL1_ITEMS))]
        items = self.items(site, RAIL1_ITEMS, survey, begins)
        self.vote_and_approve(site, opens=375, closes=368, approved=362)
        supervisor, representatives = accounts[6], ([head] if head else []) + accounts[7:8]
        self.appoint(site, "supervisor", [supervisor], 360)
        self.appoint(site, "representative", representatives, 360)
        self.start_works(site, 350)
        for item, start in zip(items, begins, strict=True):
            self.build(item, start, "done", end=start - 60)
        for days, note in ((300, "雨污管道回填前查看了管材和坡度，符合方案。"),
                           (200, "外墙修缮脚手架已挂安全网，施工时段遵守约定。")):
            inspection = ra.log_inspection(project=site.project, note=note,
                                           acting_user=supervisor)
            _date(inspection, inspected_at=self.at(days, 15))
        self.fund(site, committed=lambda item: True, paid=lambda item: Decimal("0.97"),
                  when=348, note="结算款（预留 3% 质保金）")
        self.acceptance(site, items, representatives[0])
        project = ra.complete_acceptance(project=site.project, acting_user=staff)
        accepted = self.at(60, 16)
        _date(project, accepted_at=accepted)
        notice = project.funding_notice
        _date(notice, created_at=accepted, published_at=accepted,
              period_ends_at=accepted + timedelta(days=notice.period_days))
        manager = Organisation.objects.filter(kind=OrgKind.PROPERTY, areas=site.compound).first()
        ra.record_management(project=project, acting_user=staff, convention=CONVENTION,
                             management=Management.PROPERTY if manager else Management.SELF,
                             manager=manager)
        resolution = da.carry_out_resolution(
            resolution=Resolution.objects.get(pk=project.resolution_id), acting_user=staff,
            note="改造已按方案完成，通过居民代表和社区逐项验收，资金使用情况已公示。")
        _date(resolution, carried_out_at=self.at(58))

    def acceptance(self, site: _Site, items: list[WorkItem], rep: User) -> None:
        """Item by item, the community and a residents' representative; one roof is refused,
        redone and accepted the second time."""
        staff = site.staff
        ra.start_acceptance(project=site.project, acting_user=staff)
        refused = next(item for item, row in zip(items, RAIL1_ITEMS, strict=True)
                       if row[-1] == "refused")
        for item in [i for i in items if i != refused] + [refused]:
            _date(ra.sign_off_item(item=item, accepted=True, acting_user=staff),
                  signed_at=self.at(80, 10))
            signoff = ra.sign_off_item(
                item=item, accepted=item != refused, acting_user=rep,
                reason="" if item != refused else
                "淋水试验后 2 单元顶层仍有渗漏，卷材搭接宽度不够，要求返工。")
            _date(signoff, signed_at=self.at(78, 15))
        log = ra.log_progress(item=refused, progress=100, acting_user=self.builder,
                              note="返工：铲除起鼓卷材，重新铺设 SBS 改性沥青防水卷材，搭接 "
                                   "100 mm；淋水试验 24 小时无渗漏，居民代表在场。")
        _date(log, logged_at=self.at(70, 16))
        ra.finish_item(item=refused, acting_user=self.builder, on=self.day(68))
        ra.start_acceptance(project=site.project, acting_user=staff)
        _date(ra.sign_off_item(item=refused, accepted=True, acting_user=staff),
              signed_at=self.at(64, 10))
        _date(ra.sign_off_item(item=refused, accepted=True, acting_user=rep,
                               reason="返工后复验，无渗漏。"), signed_at=self.at(64, 11))

    # --- 铁路二村: in works -------------------------------------------------------------------

    def in_works(self, site: _Site) -> None:
        staff = site.staff
        resident, head = self.user("resident"), self.user("head_1")
        self.project(site, year=timezone.localdate(self.now - timedelta(days=165)).year,
                     created=165, planned=(self.day(95), timezone.localdate(
                         self.now + timedelta(days=150))),
                     summary=f"{self.facts(site.compound)}方案经入户调查、改造议事会三轮讨论"
                             "后形成，共 53 项：基础类 21 项、完善类 19 项、提升类 13 项。"
                             "先地下、后地上，先基础、后提升。")
        ra.start_planning(project=site.project, acting_user=staff)
        logins = [u for u in (resident, head) if u is not None]
        accounts = self.accounts(site.compound, 49,
                                 skip={u.resident.household_id for u in logins})
        survey = self.survey(site, RAIL2_OPTIONS, opens=150, closes=136,
                             online=logins + accounts, door=0.6)
        # Started every three days since the works began; the rest from next week on.
        begins, started, waiting = [], 0, 0
        for *_row, state in RAIL2_ITEMS:
            if state:
                begins.append(92 - 3 * started)
                started += 1
            else:
                begins.append(-7 - 4 * waiting)
                waiting += 1
        items = self.items(site, RAIL2_ITEMS, survey, begins)
        council = Council.objects.filter(kind=CouncilKind.RENOVATION, area=site.compound).first()
        self.vote_and_approve(site, opens=118, closes=110, approved=104, council=council)
        supervisors = ([head] if head else []) + accounts[46:47]
        self.appoint(site, "supervisor", supervisors, 100)
        self.appoint(site, "representative", ([resident] if resident else []) + accounts[47:49],
                     100)
        self.start_works(site, 95)
        for item, row, start in zip(items, RAIL2_ITEMS, begins, strict=True):
            if row[-1]:
                self.build(item, start, row[-1], end=start - 25 if row[-1] == "done" else 1)
        self.fund(site, when=93, note="按施工进度支付",
                  committed=lambda item: item.category != E or item.status != "planned",
                  paid=lambda item: {"finished": Decimal("0.9"), "planned": None}.get(
                      item.status, Decimal("0.3")))
        self.inspections(site, supervisors, items)

    def inspections(self, site: _Site, supervisors: list[User], items: list[WorkItem]) -> None:
        """Rounds of the residents' supervisors; the latest found a hazard (a case now)."""
        by_name = {item.name: item for item in items}
        rounds = ((60, "雨污分流改造", "管沟回填分层夯实，现场有围挡，施工人员佩戴安全帽。"),
                  (45, "屋面防水（1栋）", "查看了防水卷材的合格证和进场检验记录，与方案一致。"),
                  (30, "强弱电入地（架空线缆下地）", "通信、有线电视线缆已入管，飞线明显减少。"),
                  (14, "外墙修缮（1栋、2栋）", "脚手架挂了安全网，中午和晚上按约定停工。"))
        for number, (days, name, note) in enumerate(rounds):
            inspection = ra.log_inspection(project=site.project, note=note,
                                           item=by_name.get(name),
                                           acting_user=supervisors[number % len(supervisors)])
            _date(inspection, inspected_at=self.at(days, 15))
        inspection = ra.log_inspection(
            project=site.project, item=by_name.get("消防管网及消火栓更新"),
            acting_user=supervisors[0], note="3 栋北侧消防管网更新，管沟已开挖。",
            problem="3 栋北侧管沟开挖后两天未回填，夜间没有警示灯，围挡有缺口，"
                    "老人晚上出门容易跌落，请施工单位尽快处理。")
        hazard = CaseCategory.objects.filter(code="public_safety.hazard").first()
        if inspection.case_id and hazard is not None:
            case = cases.accept_case(case=inspection.case, category=hazard,
                                     acting_user=site.staff)
            cases.dispatch_case(case=case, to_org=self.contractor, acting_user=site.staff,
                                note="请今天内补齐围挡、加装警示灯，并尽快回填。")

    # --- 农机厂宿舍 being planned; compounds in reserve ------------------------------------

    def planning(self, site: _Site) -> None:
        """Planning for next year: the survey is open (``head_3`` has not answered yet)."""
        head = self.user("head_3")
        self.project(site, year=timezone.localdate(self.now).year + 1, created=40,
                     summary=f"{self.facts(site.compound)}正在问需于民、编制改造方案。")
        ra.start_planning(project=site.project, acting_user=site.staff)
        skip = {head.resident.household_id} if head else set()
        accounts = self.accounts(site.compound, 12, skip=skip)
        survey = self.survey(site, PLAN_OPTIONS, opens=7, closes=None, online=accounts,
                             door=0.25, keep_open_for=skip)
        needs = {o.label: o for o in survey.options.all()}
        for category, name, quantity, unit, budget, need in PLAN_ITEMS:
            ra.add_item(project=site.project, category=category, name=name,
                        quantity=str(quantity), unit=unit, budget=str(budget),
                        need=needs.get(need), acting_user=site.staff)

    def reserve(self) -> None:
        """储备: eligible compounds put forward, two per community (one in next year's batch)."""
        year = timezone.localdate(self.now).year + 1
        records = (CompoundRecord.objects.filter(subtree_q(self.street.path, "area_path"))
                   .exclude(compound_id__in=self.used).select_related("compound")
                   .order_by("area_path"))
        taken: dict[str, int] = {}
        for record in records:
            community = record.area_path[:len(self.street.path) + 6]
            if not record.eligible or taken.get(community, 0) >= 2:
                continue
            taken[community] = taken.get(community, 0) + 1
            self.used.add(record.compound_id)
            site = _Site(record.compound, self.staff_of(record.compound))
            self.project(site, year=year if taken[community] == 1 else None, created=20,
                         summary=self.facts(record.compound))
