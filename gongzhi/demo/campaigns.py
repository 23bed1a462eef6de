"""The demo street's civilisation campaigns (文明创建), loaded once through the campaigns
actions by the demo's own staff and residents.

活龙井社区 announced last year's 最美家庭 selection (its winners on the page of honour and in
a results notice); this year's 最美评选 is open for voting, and the demo ``resident`` has
not voted yet; the street is taking nominations for its 最美商户. The voters are the
residents with accounts (the volunteers and the demo's own logins).

Actions stamp the present; last year's dates are set afterwards, as the other demos do.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Nomination, Selection, SelectionCategory
from gongzhi.campaigns.selectors import standings
from gongzhi.core import audit
from gongzhi.core.tree import subtree_q
from gongzhi.demo import street as demo_street
from gongzhi.demo.campaigns_conventions import load_demo_conventions
from gongzhi.demo.campaigns_partners import load_demo_partners
from gongzhi.demo.campaigns_shops import load_demo_shops
from gongzhi.demo.campaigns_stars import load_demo_stars
from gongzhi.notices.models import Notice

SEED = "gongzhi-demo-campaigns"
RULES = ("热爱祖国、遵纪守法；家庭和睦、孝老爱亲；热心公益、邻里互助；近三年无违法违纪记录。"
         "由居民自荐或推荐、社区审核，群众投票后社区审定名单并公示七天。")
STORIES = ["二十年如一日照顾瘫痪在床的婆婆，邻里称赞",
           "带头参与楼道清理和垃圾分类，家里三代都是志愿者",
           "退休后义务辅导楼里孩子功课", "主动调解邻里纠纷，帮独居老人买菜送药",
           "家风家训代代相传，积极参与社区议事", "疫情期间坚守值守岗位，平日热心公益"]
STAIRWELLS = "楼道整洁明亮，居民自发摆放绿植、张贴文明公约"


def load_demo_campaigns(*, now: datetime | None = None) -> int:
    """Load once; returns the number of selections created (0: no demo street, or
    selections are there already)."""
    with transaction.atomic():
        street = AreaNode.objects.filter(code=demo_street.STREET_CODE).first()
        if street is None or Selection.objects.filter(
                subtree_q(street.path, "area_path")).exists():
            return 0
        loader = _Loader(street, now or timezone.now())
        loader.load()
        audit.record(actor=None, action="demo.load_campaigns", obj=street,
                     after={"selections": loader.selections})
        return loader.selections


def load_demo_campaign_parts(*, now: datetime | None = None) -> dict[str, int]:
    """十星级文明户, 门前三包, 网格合伙人 and 居民公约 of the demo street, each loaded once by its
    own module (a count of 0: there already, or no demo street)."""
    street = AreaNode.objects.filter(code=demo_street.STREET_CODE).first()
    if street is None:
        return {}
    now = now or timezone.now()
    return {"households": load_demo_stars(street, now), "shops": load_demo_shops(street, now),
            "partners": load_demo_partners(street, now),
            "conventions": load_demo_conventions(street, now)}


class _Loader:
    def __init__(self, street: AreaNode, now: datetime) -> None:
        self.street, self.now = street, now
        self.rng = random.Random(SEED)
        self.community = (AreaNode.objects.filter(subtree_q(street.path), kind=AreaKind.COMMUNITY)
                          .order_by("path").first())
        self.users = {u.username: u for u in User.objects.filter(
            username__in=["street", "staff_hlj", "resident", "head_1", "head_2"])}
        self.staff = self.users["staff_hlj"]
        # Every resident of the community with an account may vote; the demo ``resident``
        # is kept back so that the open vote waits for them.
        self.voters = list(User.objects.filter(
            resident__household__area_path__startswith=self.community.path, is_active=True)
            .exclude(username="resident").select_related("resident__household")
            .order_by("pk"))
        self.selections = 0

    def load(self) -> None:
        self.last_year()
        self.this_year()
        self.shops()

    def _new(self, title: str, categories, *, area=None, votes: int = 1, by=None,
             days: tuple[int, int] = (3, 10)) -> Selection:
        selection = ca.create_selection(
            area=area or self.community, title=title, rules=RULES,
            year=timezone.localdate(self.now).year, categories=categories,
            nominations_close=self.now + timedelta(days=days[0]),
            voting_closes=self.now + timedelta(days=days[1]), votes_per_category=votes,
            acting_user=by or self.staff)
        ca.open_nominations(selection=selection, acting_user=by or self.staff)
        self.selections += 1
        return selection

    def _families(self, count: int) -> list[Household]:
        homes = (Household.objects.filter(area_path__startswith=self.community.path,
                                          residents__is_head=True)
                 .distinct().select_related("building").order_by("pk"))
        return list(homes[5:5 + count * 7])[::7]  # spread over the community

    def _nominate(self, selection: Selection, families: int, stairwells: int) -> None:
        family, stairwell = list(selection.categories.all())[:2]
        proposers = self.voters or [self.staff]
        for i, household in enumerate(self._families(families)):
            head = household.residents.filter(is_head=True).first()
            ca.nominate(category=family, nominee=f"{head.name}家庭", household=household,
                        story=STORIES[i % len(STORIES)], acting_user=proposers[i % len(proposers)])
        buildings = AreaNode.objects.filter(subtree_q(self.community.path),
                                            kind=AreaKind.BUILDING).order_by("path")
        for building in buildings[:stairwells]:
            ca.nominate(category=stairwell, nominee=f"{building.parent.name}{building.name}1单元",
                        area=building, story=STAIRWELLS, acting_user=self.staff)

    def _review(self, selection: Selection, refuse: int = 0) -> None:
        pending = Nomination.objects.filter(category__selection=selection, status="pending")
        for i, nomination in enumerate(pending.order_by("pk")):
            ca.review_nomination(nomination=nomination, passed=i >= refuse,
                                 reason="推荐对象不在本社区居住" if i < refuse else "",
                                 acting_user=self.staff)

    def _vote(self, selection: Selection, share: float) -> None:
        ballot = {c.pk: list(c.nominations.filter(status="passed").order_by("pk"))
                  for c in selection.categories.all()}
        for voter in self.voters:
            if self.rng.random() > share:
                continue
            for nominations in ballot.values():
                if not nominations:
                    continue
                # Earlier nominees are liked a little more: the result is not a tie.
                weights = [len(nominations) - i for i in range(len(nominations))]
                picks = {self.rng.choices(nominations, weights)[0]
                         for _ in range(selection.votes_per_category)}
                for nomination in picks:
                    ca.cast_vote(nomination=nomination, acting_user=voter)

    def last_year(self) -> None:
        """去年的最美家庭评选: nominated, reviewed (one refused), voted, confirmed and
        announced; its dates moved back a year."""
        selection = self._new(f"{timezone.localdate(self.now).year - 1}年度"
                              f"{self.community.name}“最美家庭”评选",
                              [("最美家庭", 3), ("最美楼道", 2)])
        self._nominate(selection, families=6, stairwells=3)
        self._review(selection, refuse=1)
        ca.open_voting(selection=selection, acting_user=self.staff)
        self._vote(selection, share=0.9)
        Selection.objects.filter(pk=selection.pk).update(voting_closes=self.now)
        ca.close_voting(selection=selection, acting_user=self.staff)
        winners = {c.pk: [n.pk for n in standings(c)[:c.places]]
                   for c in SelectionCategory.objects.filter(selection=selection)}
        ca.confirm_winners(selection=selection, winners=winners, acting_user=self.staff)
        selection = ca.announce_winners(selection=selection, acting_user=self.staff)
        year_ago = self.now - timedelta(days=365)
        Selection.objects.filter(pk=selection.pk).update(
            year=timezone.localdate(year_ago).year, announced_at=year_ago,
            nominations_close=year_ago - timedelta(days=20),
            voting_closes=year_ago - timedelta(days=3), created_at=year_ago - timedelta(days=40))
        Notice.objects.filter(pk=selection.notice_id).update(
            published_at=year_ago, period_ends_at=year_ago + timedelta(days=7))

    def this_year(self) -> None:
        """今年的最美评选: voting open for ten more days, about half have voted."""
        year = timezone.localdate(self.now).year
        selection = self._new(f"{year}年度{self.community.name}最美评选",
                              [("最美家庭", 3), ("最美楼道", 2), ("最美志愿者", 3)], votes=2)
        self._nominate(selection, families=5, stairwells=3)
        volunteers = list(selection.categories.filter(name="最美志愿者"))
        for voter in self.voters[:4]:
            ca.nominate(category=volunteers[0], nominee=voter.resident.name,
                        household=voter.resident.household, acting_user=self.staff,
                        story="常年参加楼道清扫和助老服务，志愿服务时长位居社区前列")
        self._review(selection)
        ca.open_voting(selection=selection, acting_user=self.staff)
        self._vote(selection, share=0.5)

    def shops(self) -> None:
        """The street's 最美商户, taking nominations."""
        self._new(f"{timezone.localdate(self.now).year}年度{self.street.name}“最美商户”评选",
                  [("最美商户", 5)], area=self.street, by=self.users["street"], days=(14, 30))
