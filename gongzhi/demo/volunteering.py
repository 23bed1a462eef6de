"""The demo street's volunteering (志愿服务), loaded once through the volunteering actions.

Each community has a volunteer team; 活龙井 also a party members' vanguard (党员先锋队)
and a patrol team. The menu has items in all twelve libraries; orders are in every state
of the four orders (the demo ``resident`` has one to rate); past activities have credited
hours; the 铁路二村 camera room is staffed around the clock in three shifts, not all of
them covered; volunteers stand at every star level (their earlier hours entered from the
paper ledger, 纸质台账补录); the points shop has stock and a supermarket's neighbour coupon.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.actions import add_member, create_organisation
from gongzhi.accounts.models import Organisation, OrgKind, User
from gongzhi.areas.models import AreaKind, AreaNode, Resident
from gongzhi.core import audit
from gongzhi.core.tree import subtree_q
from gongzhi.demo import street as demo_street
from gongzhi.demo.logins import ORG_PREFIX
from gongzhi.volunteering.actions import activities as act
from gongzhi.volunteering.actions import bank, ledger, menu, orders, rewards, rosters
from gongzhi.volunteering.actions.volunteers import register_volunteer
from gongzhi.volunteering.models import Activity, Reward, ServiceItem, Volunteer

SEED = "gongzhi-demo-volunteering"
# Hours already served, from the paper ledger: one volunteer at each star level and some.
HISTORY = (1560, 1030, 640, 330, 120, 60, 24)

# (library, name, usual hours) — the menu each community's team offers.
MENU = (
    ("daily", "上门维修水电", "1.5"), ("daily", "义务理发", "1"),
    ("governance", "楼栋议事协调", "2"), ("environment", "楼道卫生清理", "2"),
    ("civility", "文明养犬劝导", "1"), ("elderly", "独居老人陪伴探访", "1.5"),
    ("elderly", "代购生活用品", "1"), ("children", "四点半课堂辅导", "2"),
    ("disabled", "助残出行陪护", "2"), ("health", "量血压测血糖", "0.5"),
    ("legal", "法律咨询", "1"), ("culture", "广场舞教学", "1.5"),
    ("safety", "夜间平安巡逻", "2"), ("mediation", "邻里纠纷调解", "2"),
)
WISHES = (
    ("想要一台收音机", "老伴走了，一个人在家，想听听戏。"),
    ("孩子的课外书", "上三年级，想要几本科普书。"),
    ("帮忙换个灯泡", "厨房灯坏了，够不着。"),
)


@dataclass
class _Place:
    community: AreaNode
    staff: User | None
    team: Organisation


def load_demo_volunteering(*, now: datetime | None = None) -> int:
    """Load once; returns the number of volunteers registered (0: no demo street, or
    volunteers are there already)."""
    with transaction.atomic():
        street = AreaNode.objects.filter(code=demo_street.STREET_CODE).first()
        if street is None or Volunteer.objects.filter(subtree_q(street.path,
                                                                "area_path")).exists():
            return 0
        loader = _Loader(street, now or timezone.now())
        loader.load()
        audit.record(actor=None, action="demo.load_volunteering", obj=street,
                     after={"volunteers": loader.volunteers})
        return loader.volunteers


class _Loader:
    def __init__(self, street: AreaNode, now: datetime) -> None:
        self.street, self.now = street, now
        self.rng = random.Random(SEED)
        self.users = {u.username: u for u in User.objects.all() if u.username in {
            "admin", "resident", "volunteer", "head_1", "head_2", "staff_hlj", "staff_tlxc",
            "staff_bj"}}
        self.volunteers = 0

    def load(self) -> None:
        admin = self.users.get("admin")
        for code, points in (("per_hour", 10), ("per_activity", 20), ("per_rated_order", 30),
                             ("per_civil_star", 5)):
            bank.save_points_rule(code=code, points=points, is_active=True, acting_user=admin)
        places = [self.place(c) for c in AreaNode.objects.filter(
            path__startswith=self.street.path, kind=AreaKind.COMMUNITY).order_by("path")]
        for place in places:
            crew = self.crew(place)
            items = self.menu(place)
            self.orders(place, items, crew)
            self.past_activity(place, crew)
        hlj = places[0]
        crew = list(Volunteer.objects.filter(area=hlj.community).select_related("user"))
        self.history(crew)
        self.upcoming_activity(hlj, crew)
        self.camera_room(hlj, crew)
        self.shop(hlj, crew)

    def _at(self, days: float, hour: int = 9) -> datetime:
        local = timezone.localtime(self.now + timedelta(days=days))
        return local.replace(hour=hour, minute=0, second=0, microsecond=0)

    # --- teams and volunteers -----------------------------------------------------------------

    def place(self, community: AreaNode) -> _Place:
        key = community.code.rsplit("-", 1)[-1]
        staff = self.users.get(f"staff_{key.lower()}")
        team = Organisation.objects.filter(kind=OrgKind.VOLUNTEER_TEAM,
                                           areas=community).first()
        if team is None:
            team = create_organisation(kind=OrgKind.VOLUNTEER_TEAM, acting_user=staff,
                                       code=f"{ORG_PREFIX}-ZY-{key}",
                                       name=f"{community.name}志愿服务队", areas=[community])
        return _Place(community, staff, team)

    def _resident_user(self, resident: Resident) -> User:
        # Residents who volunteer have accounts; the demo prints only the role logins.
        return User.objects.create(username=f"vol_{resident.pk}", phone=None,
                                   full_name=resident.name, resident=resident,
                                   password=make_password(None))

    def crew(self, place: _Place) -> list[Volunteer]:
        staff = place.staff
        residents = (Resident.objects.filter(
            household__area_path__startswith=place.community.path, is_head=True,
            user__isnull=True).select_related("household").order_by("pk"))
        count = residents.count()
        chosen = [residents[i] for i in range(0, count, max(1, count // 12))][:12]
        volunteers = []
        for number, resident in enumerate(chosen, start=1):
            user = self._resident_user(resident)
            party = number % 4 == 0
            volunteers.append(register_volunteer(
                user=user, community=place.community, acting_user=staff,
                skills=self.rng.choice(["水电维修", "理发", "医护", "法律", "教书", "驾驶", ""]),
                availability=self.rng.choice(["周末", "工作日晚上", "随时"]),
                is_party_member=party, party_unit="冷水滩区住建局" if party else "",
                expected_hours=20 if party else None))
        for username in ("volunteer", "head_1", "head_2"):
            user = self.users.get(username)
            home = getattr(getattr(user, "resident", None), "household", None)
            mine = home is not None and home.area_path.startswith(place.community.path)
            if user is not None and (mine or (username == "volunteer"
                                              and place.team.code.endswith("ZY-HLJ"))):
                volunteers.append(register_volunteer(
                    user=user, community=place.community, acting_user=staff,
                    skills="组织协调"))
        for volunteer in volunteers:
            add_member(organisation=place.team, user=volunteer.user, acting_user=staff,
                       is_leader=volunteer.user.username == "volunteer")
        self.volunteers += len(volunteers)
        return volunteers

    def history(self, crew: list[Volunteer]) -> None:
        """Hours served before the platform, entered week by week from the paper ledger."""
        for volunteer, total in zip(crew, HISTORY, strict=False):
            weeks = max(1, -(-total // 15))
            left = Decimal(total)
            for week in range(weeks):
                hours = min(Decimal(15), left)
                served = (self.now - timedelta(weeks=weeks - week + 8)).date()
                ledger.credit_hours(volunteer=volunteer, hours=hours, source="activity",
                                    source_key=f"ledger-import:{served.isoformat()}",
                                    served_on=served, acting_user=None,
                                    note="历史服务时长（纸质台账补录）")
                left -= hours

    # --- the menu and the four orders ---------------------------------------------------------

    def menu(self, place: _Place) -> list[ServiceItem]:
        return [menu.save_service_item(acting_user=place.staff, library=library, name=name,
                                       usual_hours=hours, area=place.community,
                                       team=place.team)
                for library, name, hours in MENU]

    def _requesters(self, place: _Place) -> list[User]:
        users = [u for u in (self.users.get("resident"), self.users.get("head_1"),
                             self.users.get("head_2"))
                 if u is not None and getattr(u, "resident", None) is not None
                 and u.resident.household.area_path.startswith(place.community.path)]
        return users

    def orders(self, place: _Place, items: list[ServiceItem], crew: list[Volunteer]) -> None:
        """One order in each state, for the residents with logins in this community."""
        requesters = self._requesters(place)
        takers = [v for v in crew if v.user.username.startswith("vol_")][:3]
        if not requesters or not takers:
            return
        staff, first = place.staff, requesters[0]
        doer = self.users.get("volunteer")
        doer = Volunteer.objects.filter(user=doer, area=place.community).first() or takers[0]

        def order(item: ServiceItem, note: str):
            return orders.place_order(item=item, acting_user=first, description=note)

        by_name = {i.name: i for i in items}
        # Rated: the pipe is fixed and the resident was satisfied.
        done = order(by_name["上门维修水电"], "厨房水龙头漏水")
        orders.dispatch_order(order=done, acting_user=staff, volunteer=doer)
        orders.accept_order(order=done, acting_user=doer.user)
        orders.complete_order(order=done, hours="1.5", report="更换了水龙头阀芯",
                              acting_user=doer.user)
        orders.rate_order(order=done, rating="satisfied", comment="很及时，谢谢！",
                          acting_user=first)
        # Done, waiting for the resident's rating (try it as `resident`).
        waiting = order(by_name["代购生活用品"], "买 10 斤大米，送到家")
        orders.dispatch_order(order=waiting, acting_user=staff, team=place.team)
        orders.accept_order(order=waiting, acting_user=takers[0].user)
        orders.complete_order(order=waiting, hours="1", report="大米已送到",
                              acting_user=takers[0].user)
        # Taken and under way; dispatched to the team, not yet taken; waiting for dispatch.
        under_way = order(by_name["独居老人陪伴探访"], "每周三下午陪我母亲聊天")
        orders.dispatch_order(order=under_way, acting_user=staff, volunteer=takers[1])
        orders.accept_order(order=under_way, acting_user=takers[1].user)
        offered = order(by_name["量血压测血糖"], "想每周测一次血压")
        orders.dispatch_order(order=offered, acting_user=staff, team=place.team)
        order(by_name["法律咨询"], "房屋租赁合同有疑问")
        # Cancelled by the resident.
        cancelled = order(by_name["义务理发"], "给老人理发")
        orders.cancel_order(order=cancelled, acting_user=first, reason="家里人已经理好了")
        # Micro-wishes: one on the board, one claimed, one nobody took in time (flagged).
        for number, (title, body) in enumerate(WISHES):
            wish = orders.post_wish(title=title, description=body,
                                    acting_user=requesters[number % len(requesters)])
            if number == 1:
                orders.claim_order(order=wish, acting_user=takers[2].user)
            elif number == 2:
                type(wish).objects.filter(pk=wish.pk).update(
                    take_by=self.now - timedelta(hours=2))
        orders.flag_stale_orders(now=self.now)

    # --- activities and the roster ------------------------------------------------------------

    def _publish(self, place: _Place, title: str, capacity: int, hours: str,
                 days: float) -> Activity:
        return act.publish_activity(
            title=title, area=place.community, place="社区党群服务中心门前广场",
            starts_at=self._at(days), ends_at=self._at(days, 11), capacity=capacity,
            hours=hours, team=place.team, acting_user=place.staff,
            description="请穿志愿者马甲，带好手套。")

    def past_activity(self, place: _Place, crew: list[Volunteer]) -> None:
        """Signed up for, held last month (its dates moved back), attendance confirmed."""
        activity = self._publish(place, "环境整治志愿活动", 10, "2", 1)
        signed = crew[:8]
        for volunteer in signed:
            act.sign_up(activity=activity, acting_user=volunteer.user)
        start = self._at(-30)
        Activity.objects.filter(pk=activity.pk).update(starts_at=start,
                                                       ends_at=start + timedelta(hours=2))
        act.confirm_attendance(activity=activity, present=signed[:7], acting_user=place.staff)

    def upcoming_activity(self, place: _Place, crew: list[Volunteer]) -> None:
        """Full, with two on the waiting list."""
        activity = self._publish(place, "冬至包饺子送独居老人", 6, "2", 5)
        for volunteer in crew[:8]:
            act.sign_up(activity=activity, acting_user=volunteer.user)

    def camera_room(self, place: _Place, crew: list[Volunteer]) -> None:
        """铁路二村's camera room around the clock: three 8-hour shifts, a week ahead."""
        compound = AreaNode.objects.filter(path__startswith=place.community.path,
                                           kind=AreaKind.COMPOUND).order_by("path").first()
        today = timezone.localdate(self.now) + timedelta(days=1)
        templates = [rosters.create_shift_template(
            title=f"监控室值守（{name}）", area=compound or place.community,
            place="小区监控室", weekdays="0123456", start_time=time(hour, 0), hours="8",
            slots=1, team=place.team, acting_user=place.staff)
            for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0))]
        for template in templates:
            rosters.generate_shifts(template=template, start=today,
                                    end=today + timedelta(days=6), acting_user=place.staff)
        shifts = [s for t in templates for s in t.shifts.order_by("starts_at")]
        for number, shift in enumerate(shifts):
            if number % 3 != 2:  # a third of them still need someone
                volunteer = crew[number % len(crew)]
                try:
                    rosters.sign_up_shift(shift=shift, acting_user=volunteer.user)
                except ValidationError:  # an overlap with their other shift: leave it open
                    continue

    # --- points shop --------------------------------------------------------------------------

    def shop(self, place: _Place, crew: list[Volunteer]) -> None:
        for name, points, stock in (("洗衣液一瓶", 200, 20), ("大米 5 公斤", 500, 10),
                                    ("爱心理发卡", 100, 30), ("保温杯", 800, 0)):
            rewards.save_reward(acting_user=place.staff, name=name, points=points,
                                stock=stock, area=place.community)
        market = (Organisation.objects.filter(kind=OrgKind.MERCHANT, areas=place.community)
                  .first() or create_organisation(
                      kind=OrgKind.MERCHANT, code=f"{ORG_PREFIX}-SH-HLJ", name="活龙井便民超市",
                      areas=[place.community], acting_user=None))
        coupon = rewards.save_coupon(acting_user=place.staff, merchant=market,
                                     title="满 50 减 10 友邻券", points=300, stock=50,
                                     valid_until=date(self.now.year + 1, 6, 30),
                                     area=place.community, description="限购日用品")
        top = crew[0]  # the five-star volunteer spends some of their points
        detergent = Reward.objects.get(area=place.community, name="洗衣液一瓶")
        rewards.redeem_reward(reward=detergent, acting_user=top.user)
        rewards.buy_coupon(coupon=coupon, acting_user=top.user)
