"""The demo street's 门前三包, loaded once through the campaigns actions by the demo's own
community staff (``staff_hlj``) and grid workers (``grid_hlj_…``).

Twenty shops along the grids of the first community (活龙井社区), each with this year's
responsibility contract; three months of inspections (two a month, chosen with a fixed
seed): now and then a duty not kept, photographed and re-inspected a few days later —
most pass then. Exactly one shop ends last month on the black list (two problems, one of
them still open at the month's end: 100 − 30 − 10 = 60); everyone else scores 80 or more.
The boards of the last two full months are published as notices (dated the second
day of the month after). The demo ``shop`` login
is made a member of the first shop, so /campaigns/shops/mine/ shows something.
"""

import random
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.db import transaction
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actions import add_member
from gongzhi.accounts.models import RoleGrant, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Shop, ShopBoard
from gongzhi.campaigns.selectors_shops import month_start, next_month, previous_month
from gongzhi.core.permissions import Role
from gongzhi.core.tree import subtree_q
from gongzhi.demo import names
from gongzhi.notices.models import Notice

SEED = "gongzhi-demo-shops"
SHOPS = [("活龙井早餐店", "餐饮"), ("老街米粉店", "餐饮"), ("湘味小炒", "餐饮"),
         ("便民五金店", "五金"), ("永佳超市", "超市"), ("惠民药店", "药店"),
         ("铁路理发店", "美发"), ("阿芳水果店", "水果"), ("新华文具店", "文具"),
         ("老王修车铺", "维修"), ("兴旺粮油店", "粮油"), ("平安通讯", "通讯"),
         ("金桂烟酒店", "烟酒"), ("巧手裁缝店", "服务"), ("好邻居便利店", "超市"),
         ("光明眼镜店", "眼镜"), ("家家乐面包坊", "餐饮"), ("顺心干洗店", "服务"),
         ("绿野花店", "花卉"), ("站前牛肉粉", "餐饮")]
NOTES = {"sanitation": "门前有垃圾和油污，未及时清扫", "greenery": "门前花坛堆放纸箱杂物",
         "order": "占道摆放货物，电动车乱停放"}
DAYS = (6, 19)  # two rounds a month
BLACK_SHOP = 7  # the one on last month's black list


def _photo(colour: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (80, 60), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def load_demo_shops(street: AreaNode | None, now: datetime | None = None) -> int:
    """Load once; the number of shops registered (0: no street, or shops are there)."""
    if street is None:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        community = (AreaNode.objects.filter(subtree_q(street.path), kind=AreaKind.COMMUNITY)
                     .order_by("path").first())
        if community is None or Shop.objects.filter(
                subtree_q(community.path, "area_path")).exists():
            return 0
        return _Loader(community, now).load()


class _Loader:
    def __init__(self, community: AreaNode, now: datetime) -> None:
        self.community, self.now = community, now
        self.rng = random.Random(SEED)
        key = community.code.rsplit("-", 1)[-1].lower()
        self.staff = User.objects.get(username=f"staff_{key}")
        grants = (RoleGrant.objects.filter(role=Role.GRID_WORKER,
                                           area__path__startswith=community.path)
                  .select_related("area", "user").order_by("area__path"))
        self.grids = [(g.area, g.user) for g in grants]
        self.today = timezone.localdate(now)
        this = month_start(self.today)
        self.months = [previous_month(previous_month(this)), previous_month(this), this]

    def _at(self, month: date, day: int, hour: int) -> datetime | None:
        when = datetime.combine(month.replace(day=day), time(hour),
                                tzinfo=timezone.get_current_timezone())
        return when if when < self.now - timedelta(hours=1) else None

    def load(self) -> int:
        shops = [self.register(i, name, business) for i, (name, business) in enumerate(SHOPS)]
        for i, shop in enumerate(shops):
            for month in self.months:
                self.inspect_month(i, shop, month)
        for month in self.months[:2]:
            board = ca.publish_shop_board(area=self.community, month=month,
                                          acting_user=self.staff)
            # Published on the next month's second day, as the community would have.
            when = self._at(next_month(month), 2, 10) or self.now
            ShopBoard.objects.filter(pk=board.pk).update(published_at=when)
            Notice.objects.filter(pk=board.notice_id).update(
                published_at=when, period_ends_at=when + timedelta(days=7))
        keeper = User.objects.filter(username="shop").first()
        if keeper is not None:
            add_member(organisation=shops[0].organisation, user=keeper, title="店长",
                       acting_user=None)
        return len(shops)

    def register(self, i: int, name: str, business: str) -> Shop:
        grid, _worker = self.grids[i % len(self.grids)]
        person = names.person_name(self.rng, self.rng.choice("mf"), self.rng.randint(1965, 1995))
        shop = ca.register_shop(name=name, area=grid, address=f"活龙井路 {12 + 2 * i} 号",
                                business=business, responsible_person=person,
                                responsible_phone=f"1387466{i:04d}", acting_user=self.staff)
        starts = date(self.months[0].year, 1, 1)
        ca.sign_shop_contract(shop=shop, starts_on=starts, ends_on=date(starts.year, 12, 31),
                              signed_on=starts + timedelta(days=10), signed_by_shop=person,
                              acting_user=self.staff)
        return shop

    def _inspect(self, shop: Shop, worker, when: datetime, fails: tuple[str, ...] = (),
                 again=None):
        return ca.inspect_shop(
            shop=shop, sanitation_ok="sanitation" not in fails,
            greenery_ok="greenery" not in fails, order_ok="order" not in fails,
            note="；".join(NOTES[f] for f in fails), inspected_at=when, reinspection_of=again,
            photos=[_photo(self.rng.choice(["gray", "olive", "brown"]))] if fails else (),
            acting_user=worker)

    def inspect_month(self, i: int, shop: Shop, month: date) -> None:
        worker = dict((g.pk, w) for g, w in self.grids)[shop.area_id]
        if i == BLACK_SHOP and month == self.months[1]:
            first = self._inspect(shop, worker, self._at(month, 6, 10), ("sanitation", "order"))
            self._inspect(shop, worker, self._at(month, 9, 15), again=first)
            self._inspect(shop, worker, self._at(month, 24, 10), ("greenery",))  # left open
            return
        for day in DAYS:
            when = self._at(month, day, 9 + self.rng.randint(0, 7))
            if when is None:
                continue
            # About one inspection in six finds one duty not kept (never more: 80 at worst).
            if self.rng.random() >= 1 / 6:
                self._inspect(shop, worker, when)
                continue
            problem = self._inspect(shop, worker, when,
                                    (self.rng.choice(["sanitation", "greenery", "order"]),))
            later = self._at(month, day + 3, 10)
            if later is not None:
                self._inspect(shop, worker, later, again=problem)
