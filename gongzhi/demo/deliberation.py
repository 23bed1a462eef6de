"""The demo street's deliberation (议事协商), loaded once through the deliberation actions.

Each community has a residents' council (居民议事会) with two past meetings, their minutes
and decisions; 活龙井 also has a monthly joint meeting (联席会议) and, for 铁路二村, a
renovation council (小区改造议事会). In 铁路二村: the lift consultation for 1栋1单元 is
finished and its resolution, approved by the street, is in its notice period, and a parking
plan is open for the owners — the demo ``resident`` among them — to vote on. A resident
proposal is gathering supports. (The 53-item renovation plan's art. 278 vote is the renewal
project's own: ``gongzhi.demo.renewal`` puts it to the owners through the same actions.)
"""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode, Household, Resident
from gongzhi.cases.models import OPEN_STATUSES, Case
from gongzhi.core import audit
from gongzhi.core.tree import subtree_q
from gongzhi.deliberation import actions as da
from gongzhi.deliberation.models import (
    Ballot,
    Capacity,
    Consultation,
    Council,
    CouncilKind,
    PollUnit,
)
from gongzhi.demo import street as demo_street

SEED = "gongzhi-demo-deliberation"
TERM_START = date(2025, 1, 1)

PAST_TOPICS = (
    ("楼道堆放杂物清理与消防通道管理", "楼道长期堆放杂物，影响消防通道畅通。",
     "由楼栋长牵头每月组织一次清理，物业公司负责清运，网格员纳入巡查。"),
    ("小区夜间照明不足", "部分路段路灯损坏，居民夜间出行不便。",
     "物业公司两周内完成路灯检修；新增路灯纳入改造方案完善类项目。"),
    ("广场舞噪音时段约定", "广场舞音量较大，影响低楼层住户休息。",
     "约定每晚 19:00—21:00，音量以不影响楼内休息为限，由议事会成员轮流提醒。"),
    ("垃圾分类投放点调整", "现投放点离单元门太近，夏季气味大。",
     "投放点向东移动 20 米，定时定点投放，志愿者早晚督导。"),
)


def load_demo_deliberation(*, now: datetime | None = None) -> int:
    """Load once; returns the number of councils created (0 if there is no demo street or it
    has councils already)."""
    with transaction.atomic():
        street = AreaNode.objects.filter(code=demo_street.STREET_CODE).first()
        if street is None or Council.objects.filter(subtree_q(street.path,
                                                              "area_path")).exists():
            return 0
        loader = _Loader(street, now or timezone.now())
        loader.load()
        audit.record(actor=None, action="demo.load_deliberation", obj=street,
                     after={"councils": loader.councils})
        return loader.councils


class _Loader:
    def __init__(self, street: AreaNode, now: datetime) -> None:
        self.street, self.now = street, now
        self.rng = random.Random(SEED)
        self.users = {u.username: u for u in User.objects.filter(
            username__in=["street", "resident", "head_1", "head_2", "property_rail",
                          "owners_bj", "cobuild", "staff_hlj", "staff_tlxc", "staff_bj"])}
        self.councils = 0

    def user(self, name: str) -> User | None:
        return self.users.get(name)

    def load(self) -> None:
        communities = AreaNode.objects.filter(path__startswith=self.street.path,
                                              kind="community").order_by("path")
        for community in communities:
            self.community(community)
        resident = self.user("resident")
        if resident is None or getattr(resident, "resident", None) is None:
            return
        home = resident.resident.household
        compound = home.building.parent
        staff = self.user("staff_hlj")
        self.joint_meeting(self._community_of(compound), staff)
        renovation = self.renovation_council(compound, staff)
        consultation = self.lift_consultation(home, staff)
        self.lift_resolution(consultation, staff)
        self.parking_poll(compound, renovation, staff)

    def _community_of(self, node: AreaNode) -> AreaNode:
        return AreaNode.objects.get(path=node.path[:len(self.street.path) + 6])

    # --- councils and meetings ----------------------------------------------------------------

    def community(self, community: AreaNode) -> None:
        key = community.code.rsplit("-", 1)[-1].lower()
        staff = self.user(f"staff_{key}")
        council = da.create_council(kind=CouncilKind.RESIDENTS, name=f"{community.name}居民议事会",
                                    area=community, term_start=TERM_START, support_threshold=5,
                                    acting_user=staff)
        self.councils += 1
        if staff is not None:
            da.add_member(council=council, name=staff.display_name, capacity=Capacity.COMMUNITY,
                          user=staff, acting_user=staff, joined_on=TERM_START)
        heads = (Resident.objects.filter(household__area_path__startswith=community.path,
                                         is_head=True, user__isnull=True).order_by("pk"))
        for resident in heads[:: max(1, heads.count() // 5)][:5]:
            da.add_member(council=council, name=resident.name, capacity=Capacity.RESIDENT,
                          acting_user=staff, joined_on=TERM_START)
        for username in ("head_1", "head_2"):
            head = self.user(username)
            home = getattr(getattr(head, "resident", None), "household", None)
            if head is not None and home and home.area_path.startswith(community.path):
                da.add_member(council=council, name=head.display_name,
                              capacity=Capacity.RESIDENT, user=head, acting_user=staff,
                              joined_on=TERM_START)
        self.past_meetings(council, staff)

    def past_meetings(self, council: Council, staff) -> None:
        members = list(council.members.all())
        topics = list(PAST_TOPICS)
        self.rng.shuffle(topics)
        for months_ago, (title, description, decision) in zip((2, 1), topics[:2], strict=True):
            topic = da.raise_topic(council=council, title=title, description=description,
                                   acting_user=staff)
            when = self._evening(self.now - timedelta(days=30 * months_ago + 3))
            meeting = da.schedule_meeting(council=council, title=f"{council.name}月度议事会",
                                          starts_at=when, place="社区党群服务中心二楼会议室",
                                          acting_user=staff, topics=[topic])
            present = [m for m in members if self.rng.random() < 0.85] or members
            da.record_attendance(meeting=meeting, members=present, acting_user=staff)
            da.record_minutes(meeting=meeting, acting_user=staff,
                              minutes=(f"应到 {len(members)} 人，实到 {len(present)} 人。"
                                       f"议题：{title}。{description}经讨论，与会成员一致同意："
                                       f"{decision}"),
                              decisions={topic.pk: (decision, True)})

    def _evening(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        return local.replace(hour=19, minute=30, second=0, microsecond=0)

    def joint_meeting(self, community: AreaNode, staff) -> None:
        """活龙井's monthly joint meeting (每月联席会议): party, property, owners, co-builders."""
        council = da.create_council(kind=CouncilKind.JOINT, name=f"{community.name}联席会议",
                                    area=community, term_start=TERM_START, acting_user=staff)
        self.councils += 1
        seats = [(staff, Capacity.COMMUNITY), (self.user("property_rail"), Capacity.PROPERTY),
                 (self.user("cobuild"), Capacity.CO_BUILDING)]
        for user, capacity in seats:
            if user is not None:
                org = user.organisations.first()
                da.add_member(council=council, name=user.display_name, capacity=capacity,
                              user=user, organisation=org, acting_user=staff,
                              joined_on=TERM_START)
        da.add_member(council=council, name="社区党委书记", capacity=Capacity.PARTY,
                      acting_user=staff, joined_on=TERM_START)
        case = (Case.objects.filter(subtree_q(community.path, "area_path"),
                                    status__in=OPEN_STATUSES).order_by("pk").first())
        topics = []
        if case is not None:
            topics.append(da.raise_topic_from_case(case=case, council=council, acting_user=staff))
        # Twenty days ago: recording its minutes schedules next month's meeting.
        meeting = da.schedule_meeting(council=council, title="每月联席会议",
                                      starts_at=self._evening(self.now - timedelta(days=20)),
                                      place="社区党群服务中心一楼", recurring_monthly=True,
                                      acting_user=staff, topics=topics)
        da.record_attendance(meeting=meeting, members=list(council.members.all()),
                             acting_user=staff)
        decisions = {t.pk: ("由物业公司牵头、共建单位配合，十个工作日内处理到位，"
                            "网格员跟踪回访。", True) for t in topics}
        da.record_minutes(meeting=meeting, acting_user=staff, decisions=decisions,
                          minutes="四方通报本月诉求办理情况，协商解决跨单位问题。")

    def renovation_council(self, compound: AreaNode, staff) -> Council:
        council = da.create_council(kind=CouncilKind.RENOVATION,
                                    name=f"{compound.name}小区改造议事会", area=compound,
                                    term_start=TERM_START, support_threshold=5,
                                    acting_user=staff)
        self.councils += 1
        for name, capacity in (("改造工作专班", Capacity.COMMUNITY), ("党支部", Capacity.PARTY)):
            da.add_member(council=council, name=name, capacity=capacity, acting_user=staff,
                          joined_on=TERM_START)
        head = self.user("head_1")  # the building head of 1栋, where the demo resident lives
        if head is not None:
            da.add_member(council=council, name=head.display_name, capacity=Capacity.RESIDENT,
                          user=head, acting_user=staff, joined_on=TERM_START)
            # Waiting for supports from the neighbours (the demo resident may give one).
            da.propose_topic(
                council=council, acting_user=head, title="在小区增设电动自行车充电棚",
                description="楼道里给电动车充电有火灾隐患，建议在 3 栋东侧空地建充电棚。")
        return council

    # --- consultation and polls ---------------------------------------------------------------

    def lift_consultation(self, home: Household, staff) -> Consultation:
        """1栋1单元's lift retrofit (加装电梯): finished, each household's signed answer."""
        building = home.building
        consultation = da.create_consultation(
            title=f"{building.name}{home.unit}单元加装电梯意见征询", area=building, unit=home.unit,
            description="拟在单元北侧加装一部电梯，费用按楼层分摊，一楼、二楼不分摊。",
            opens_at=self.now - timedelta(days=60), closes_at=self.now - timedelta(days=30),
            acting_user=staff)
        households = Household.objects.filter(building=building, unit=home.unit).order_by(
            "floor", "room")
        for number, household in enumerate(households, start=1):
            if household.floor is not None and household.floor <= 1:
                answer, condition = "conditional", "补偿采光损失，电梯井不挡一楼窗户"
            elif number == 3:
                answer, condition = "disagree", ""
            else:
                answer, condition = "agree", ""
            da.enter_answer(consultation=consultation, household=household, answer=answer,
                            condition=condition, record=f"入户签字意见书第 {number} 号",
                            acting_user=staff)
        self._retime(consultation.answers.all(), "answered_at", consultation.opens_at,
                     consultation.closes_at)
        return da.close_consultation(consultation=consultation, acting_user=staff)

    def _ballots(self, poll, staff, *, turnout: float, yes: float, skip: set[int],
                 options: list | None = None, meeting: datetime | None = None) -> None:
        """Paper ballots, and with ``meeting`` most by show of hands at the owners' meeting."""
        units = PollUnit.objects.filter(poll=poll).order_by("pk")
        for number, unit in enumerate(units, start=1):
            if unit.household_id in skip or self.rng.random() > turnout:
                continue
            draw = self.rng.random()
            choice = "yes" if draw < yes else ("no" if draw < yes + (1 - yes) * 0.6 else
                                               "abstain")
            option_id = None
            if options and choice != "abstain":  # a plan poll: "yes" for the first plan
                choice, option_id = "option", (options[0] if choice == "yes"
                                               else options[1]).pk
            hands = meeting is not None and number % 3 != 0
            record = (f"业主大会举手表决记录（{timezone.localtime(meeting):%m月%d日}）" if hands
                      else f"纸质表决票第 {number} 号")
            da.enter_ballot(poll=poll, unit=unit, choice=choice, option_id=option_id,
                            source="hands" if hands else "paper", record=record,
                            acting_user=staff)
        self._retime(Ballot.objects.filter(poll=poll), "cast_at", poll.opens_at,
                     min(poll.closes_at, self.now), at=meeting, source="hands")

    def _retime(self, rows, field: str, start: datetime, end: datetime, *,
                at: datetime | None = None, **at_match) -> None:
        """Entered just now, dated when they were given: within the window (a demo's past)."""
        rows = list(rows)
        if not rows:
            return
        span = (end - start).total_seconds()
        for row in rows:
            matched = at is not None and all(getattr(row, k) == v for k, v in at_match.items())
            setattr(row, field, at if matched else
                    start + timedelta(seconds=self.rng.uniform(0.05, 0.95) * span))
        type(rows[0]).objects.bulk_update(rows, [field])

    def lift_resolution(self, consultation: Consultation, staff) -> None:
        """The lift's resolution: approved by the street, in its 7-day notice period now."""
        resolution = da.draft_resolution(
            title=f"关于{consultation.title.removesuffix('意见征询')}的决议",
            area=consultation.area, acting_user=staff,
            body=("经入户征询，本单元住户按专有部分面积和人数均超过四分之三同意加装电梯，"
                  "一楼住户的采光补偿条件由加装电梯议事小组落实。费用按楼层分摊，"
                  "一楼、二楼不分摊。"))
        da.submit_resolution(resolution=resolution, acting_user=staff)
        da.decide_resolution(resolution=resolution, approve=True, acting_user=self.user("street"),
                             note="同意加装，请做好施工期间的安全和出行保障。")
        da.publish_resolution(resolution=resolution, acting_user=staff, period_days=7)

    def parking_poll(self, compound: AreaNode, council: Council, staff) -> None:
        """Open now: where to mark parking spaces (a change of use of common parts)."""
        poll = da.create_poll(
            title=f"{compound.name}停车位划设方案表决", area=compound, electorate="households",
            matter="common_use", council=council,
            description="小区现有停车位 40 个，拟新增车位。请在两个方案中选择一个，或弃权。",
            opens_at=self.now - timedelta(days=2), closes_at=self.now + timedelta(days=12),
            acting_user=staff,
            options=["方案一：沿主干道单侧划线，新增 36 个车位，保留绿地",
                     "方案二：改造 3 栋东侧空地为停车场，新增 52 个车位"])
        da.open_poll(poll=poll, acting_user=staff)
        resident = self.user("resident")
        skip = {resident.resident.household_id} if resident else set()
        self._ballots(poll, staff, turnout=0.35, yes=0.6, skip=skip,
                      options=list(poll.options.all()))
