"""The demo's 十星级文明户: every household of the first building of 活龙井社区 (the building
of ``head_1``, where the demo ``resident`` lives) assessed for this year by its building
head, most confirmed by ``staff_hlj`` (points awarded through the volunteering rule), three
left as drafts for the community to confirm; every other household also has last year's
assessment, confirmed. All through the campaigns actions, once.

Actions stamp the present; last year's dates are set afterwards, as the other demos do.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import RoleGrant, User
from gongzhi.areas.models import AreaNode, Household
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import DEFAULT_CRITERIA, StarAssessment, StarCriterion
from gongzhi.core.permissions import Role
from gongzhi.core.tree import subtree_q
from gongzhi.volunteering.models import PointsEntry

SEED = "gongzhi-demo-stars"
DRAFTS = 3  # this year's assessments still waiting for the community
EVIDENCE = {
    "爱国守法": "家庭成员无违法记录，参加国庆升旗仪式",
    "诚信友善": "拾到邻居钱包主动归还",
    "孝老爱亲": "照顾年迈父母，邻里称道",
    "勤俭节约": "节水节电，旧物改造再利用",
    "清洁卫生": "室内外整洁，坚持垃圾分类",
    "移风易俗": "子女婚事简办，不大操大办",
    "邻里和睦": "主动帮助楼上独居老人买菜",
    "热心公益": "参加楼道清扫和志愿服务",
    "遵章守纪": "规范停放电动车，不飞线充电",
    "崇学向善": "孩子获评三好学生，家中常读书",
}


def load_demo_stars(street: AreaNode, now: datetime) -> int:
    """Load once; returns the number of assessments created (0: loaded before, or the
    demo's building head or community staff login is missing)."""
    with transaction.atomic():
        if StarAssessment.objects.filter(subtree_q(street.path, "area_path")).exists():
            return 0
        grant = (RoleGrant.objects.filter(user__username="head_1", role=Role.BUILDING_HEAD,
                                          area__path__startswith=street.path)
                 .select_related("user", "area").first())
        staff = User.objects.filter(username="staff_hlj").first()
        if grant is None or staff is None:
            return 0
        return _load(grant.user, grant.area, staff, now)


def _awards(rng: random.Random, criteria: list[StarCriterion]) -> dict:
    count = rng.randint(5, len(criteria))
    chosen = sorted(rng.sample(criteria, count), key=lambda c: (c.order, c.pk))
    return {c: EVIDENCE.get(c.name, f"{c.name}：入户核实") for c in chosen}


def _load(head: User, building: AreaNode, staff: User, now: datetime) -> int:
    rng = random.Random(SEED)
    # The ten the migration seeds (gone after a test database is flushed, say).
    for order, name in enumerate(DEFAULT_CRITERIA, start=1):
        StarCriterion.objects.get_or_create(name=name, defaults={"order": order})
    criteria = list(StarCriterion.objects.filter(is_active=True))
    households = list(Household.objects.filter(building=building).order_by("unit", "room", "pk"))
    resident = User.objects.filter(username="resident").values_list(
        "resident__household_id", flat=True).first()
    # The drafts are the last households but the demo resident's (whose stars are shown).
    drafts = {h.pk for h in [h for h in households if h.pk != resident][-DRAFTS:]}
    year = timezone.localdate(now).year
    created = 0
    last_year = []
    for i, household in enumerate(households):
        if i % 2 == 0:
            past = ca.assess_household(household=household, year=year - 1,
                                       awards=_awards(rng, criteria), note="年度入户评定",
                                       acting_user=head)
            last_year.append(ca.confirm_assessment(assessment=past, acting_user=staff).pk)
            created += 1
        assessment = ca.assess_household(household=household, year=year,
                                         awards=_awards(rng, criteria), note="年度入户评定",
                                         acting_user=head)
        if household.pk not in drafts:
            ca.confirm_assessment(assessment=assessment, acting_user=staff)
        created += 1
    year_ago = now - timedelta(days=365)
    StarAssessment.objects.filter(pk__in=last_year).update(
        assessed_at=year_ago - timedelta(days=10), confirmed_at=year_ago)
    PointsEntry.objects.filter(source_key__in=[f"civil_stars:{pk}" for pk in last_year]).update(
        created_at=year_ago)
    return created
