"""Loading the demo street and generating synthetic cities (administrators or the system)."""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.actions import add_member, create_organisation, grant_role
from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaNode, Resident, Tenure
from gongzhi.core import audit
from gongzhi.demo import city, street
from gongzhi.demo.bulk import IdPool, RowWriter
from gongzhi.demo.logins import DEMO_PASSWORD, UserPlan, plan_users
from gongzhi.demo.people import PeopleFactory, write_households

CITY_CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,24}")
MAX_HOUSEHOLDS = 20_000_000


@dataclass(frozen=True)
class LoadSummary:
    created: bool  # False: the demo street was already there and nothing changed
    areas: int = 0
    buildings: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0


def _require_admin(acting_user) -> None:
    # None is the system (a management command); a person must be an administrator.
    if acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied("only an administrator loads demo or synthetic data")


@transaction.atomic
def load_demo(*, acting_user) -> LoadSummary:
    """Load the demo street once; a second call finds it and changes nothing."""
    _require_admin(acting_user)
    if AreaNode.objects.filter(code=street.STREET_CODE).exists():
        return LoadSummary(created=False)
    rng = random.Random(street.SEED)
    tree = street.plan_tree(rng)
    users = plan_users(tree)
    _check_conflicts(tree.builder.nodes, users)
    ids = IdPool()
    tree.builder.save(ids)
    households, residents = write_households(
        tree.buildings, PeopleFactory(rng, street.REGION), ids, RowWriter())
    _create_logins(users, acting_user)
    summary = LoadSummary(
        created=True, areas=len(tree.builder.nodes), buildings=len(tree.buildings),
        households=households, residents=residents, users=len(users),
    )
    audit.record(actor=acting_user, action="demo.load", obj=tree.street,
                 after={k: v for k, v in summary.__dict__.items() if k != "created"})
    return summary


def _check_conflicts(nodes: list[AreaNode], users: list[UserPlan]) -> None:
    problems = []
    codes = list(AreaNode.objects.filter(code__in=[n.code for n in nodes])
                 .values_list("code", flat=True)[:5])
    if codes:
        problems.append(_("区域编码 %(codes)s 已存在") % {"codes": "、".join(codes)})
    taken = list(User.objects.filter(username__in=[u.username for u in users])
                 .values_list("username", flat=True)[:5])
    if taken:
        problems.append(_("用户名 %(names)s 已被使用") % {"names": "、".join(taken)})
    phones = list(User.objects.filter(phone__in=[u.phone for u in users])
                  .values_list("phone", flat=True)[:5])
    if phones:
        problems.append(_("手机号 %(phones)s 已被使用") % {"phones": "、".join(phones)})
    org_codes = [u.org.code for u in users if u.org]
    orgs = list(Organisation.objects.filter(code__in=org_codes).values_list("code", flat=True))
    if orgs:
        problems.append(_("组织编码 %(codes)s 已存在") % {"codes": "、".join(orgs[:5])})
    if problems:
        raise ValidationError(_("演示数据与现有数据冲突，未做任何修改：%(problems)s") % {
            "problems": "；".join(problems)})


def _create_logins(plans: list[UserPlan], acting_user) -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it
    users = []
    for plan in plans:
        user = User(username=plan.username, phone=plan.phone, full_name=plan.full_name,
                    password=password, is_staff=plan.superuser, is_superuser=plan.superuser)
        if plan.home is not None:
            # Demo logins own their homes, so they may vote in owners' polls.
            heads = Resident.objects.filter(household__building=plan.home, is_head=True,
                                            household__tenure=Tenure.OWNER)
            resident = heads.order_by("household_id")[plan.home_rank]
            # The login and the resident record share one phone, as in real life.
            Resident.objects.filter(pk=resident.pk).update(phone=plan.phone)
            user.resident, user.full_name = resident, resident.name
        users.append(user)
    User.objects.bulk_create(users)
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in plans])}
    for plan in plans:
        user = users[plan.username]
        if plan.role:
            grant_role(user=user, role=plan.role, area=plan.area, acting_user=acting_user)
        if plan.org:
            org = create_organisation(kind=plan.org.kind, code=plan.org.code, name=plan.org.name,
                                      areas=plan.org.areas, acting_user=acting_user)
            add_member(organisation=org, user=user, title=plan.org.title, is_leader=True,
                       acting_user=acting_user)


@dataclass(frozen=True)
class GenerateSummary:
    city: AreaNode
    areas: int
    buildings: int
    households: int
    residents: int


@transaction.atomic
def generate_city(
    *, households: int, seed: int, city_code: str, acting_user,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateSummary:
    """A synthetic city of exactly ``households`` households, the same for the same seed."""
    _require_admin(acting_user)
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ValidationError(_("住户数须在 1 到 %(max)d 之间") % {"max": MAX_HOUSEHOLDS})
    if not CITY_CODE_RE.fullmatch(city_code):
        raise ValidationError(_("城市编码只能用字母、数字、- 和 _，最长 24 位"))
    if AreaNode.objects.filter(code=city_code).exists():
        raise ValidationError(_("城市编码“%(code)s”已存在，请换一个编码（--city-code）") % {
            "code": city_code})
    if AreaNode.objects.filter(code__startswith=f"{city_code}-").exists():
        raise ValidationError(_("已有以“%(code)s-”开头的区域编码，请换一个城市编码") % {
            "code": city_code})
    rng = random.Random(seed)
    plan = city.plan_city(rng, households=households, seed=seed, code=city_code,
                          name=_("合成市%(code)s") % {"code": city_code})
    ids = IdPool()
    plan.builder.save(ids)
    made, residents = write_households(
        plan.buildings, PeopleFactory(rng, city.REGION), ids, RowWriter(batch_size=10000),
        batch=50000, progress=progress)
    summary = GenerateSummary(city=plan.city, areas=len(plan.builder.nodes),
                              buildings=len(plan.buildings), households=made,
                              residents=residents)
    audit.record(actor=acting_user, action="demo.generate", obj=plan.city, after={
        "seed": seed, "city_code": city_code, "areas": summary.areas,
        "buildings": summary.buildings, "households": made, "residents": residents,
    })
    return summary
