"""The demo street's 居民公约, loaded once through the campaigns actions by the demo's staff,
building heads, grid workers and residents.

The first community (活龙井社区) drafted its residents' convention, put it to every household
(a consultation: answers entered door to door, then closed), published it as a notice and
had it signed: residents with an account sign on the phone, building heads and grid
workers record the paper signatures of the others. About one household in eight has not
signed yet — the demo ``resident``'s among them, so that they can sign in the demo.

Actions stamp the present; the consultation and the signatures are dated back afterwards,
as the other demos do.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import RoleGrant, User
from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.campaigns import actions as ca
from gongzhi.campaigns.models import Convention, ConventionSignature
from gongzhi.core.permissions import Role
from gongzhi.core.tree import subtree_q
from gongzhi.deliberation.actions import consultations as da
from gongzhi.deliberation.models import Consultation, ConsultationAnswer

SEED = "gongzhi-demo-conventions"
ARTICLES = """爱党爱国，遵纪守法，维护社区和谐稳定。
邻里和睦，互帮互助，关心孤寡老人和困难家庭。
爱护环境，垃圾分类投放，不乱扔乱倒、不高空抛物。
文明养犬，出门牵绳，及时清理犬只粪便。
车辆有序停放，不占用消防通道和盲道。
爱护公共设施，不私搭乱建，不在楼道堆放杂物。
移风易俗，红白喜事简办，不燃放烟花爆竹。
安全用电用气，电动车不进楼入户、不飞线充电。
积极参加志愿服务和社区议事，共建共治共享。
尊老爱幼，崇学向善，弘扬良好家风。"""
ANSWER_SHARE = 0.3  # households reached door to door during the consultation
UNSIGNED_SHARE = 0.12


def load_demo_conventions(street: AreaNode, now: datetime | None = None) -> int:
    """Load once; returns the number of conventions created (0: already there)."""
    with transaction.atomic():
        if Convention.objects.filter(subtree_q(street.path, "area_path")).exists():
            return 0
        _Loader(street, now or timezone.now()).load()
        return 1


class _Loader:
    def __init__(self, street: AreaNode, now: datetime) -> None:
        self.now, self.rng = now, random.Random(SEED)
        self.community = (AreaNode.objects.filter(subtree_q(street.path),
                                                  kind=AreaKind.COMMUNITY).order_by("path").first())
        self.staff = (RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=self.community)
                      .select_related("user").order_by("pk").first().user)
        self.households = list(Household.objects.filter(
            subtree_q(self.community.path, "area_path")).order_by("area_path", "unit", "room"))

    def load(self) -> None:
        convention = ca.draft_convention(
            area=self.community, title=f"{self.community.name}居民公约", text=ARTICLES,
            acting_user=self.staff)
        ca.consult_on_convention(convention=convention, closes_at=self.now + timedelta(days=1),
                                 acting_user=self.staff)
        convention.refresh_from_db()
        self.consult(convention.consultation)
        ca.publish_convention(convention=convention, acting_user=self.staff)
        self.sign(convention)
        self.backdate(convention)

    def consult(self, consultation: Consultation) -> None:
        """Signed answers collected door to door: mostly 同意, some with conditions."""
        for number, household in enumerate(self.households, start=1):
            if self.rng.random() > ANSWER_SHARE:
                continue
            draw = self.rng.random()
            answer, condition = (("agree", "") if draw < 0.82 else
                                 ("conditional", "增加小区停车管理的条款") if draw < 0.95 else
                                 ("disagree", ""))
            da.enter_answer(consultation=consultation, household=household, answer=answer,
                            condition=condition, record=f"入户征求意见表第 {number} 号",
                            acting_user=self.staff)
        da.close_consultation(consultation=consultation, acting_user=self.staff)

    def _recorders(self) -> list[tuple[str, User]]:
        """(area path, user) of the building heads first, then the grid workers: the one
        with the narrowest area over a household records its paper signature."""
        grants = (RoleGrant.objects.filter(role__in=(Role.BUILDING_HEAD, Role.GRID_WORKER),
                                           area__path__startswith=self.community.path)
                  .select_related("user", "area").order_by("-area__depth", "area__path"))
        return [(g.area.path, g.user) for g in grants]

    def sign(self, convention: Convention) -> None:
        online = {u.resident.household_id: u for u in User.objects.filter(
            resident__household__area_path__startswith=self.community.path, is_active=True)
            .exclude(username="resident").select_related("resident")}
        recorders = self._recorders()
        keep = User.objects.filter(username="resident").values_list(
            "resident__household", flat=True).first()
        for household in self.households:
            if household.pk == keep or self.rng.random() < UNSIGNED_SHARE:
                continue
            if household.pk in online:
                ca.sign_convention(convention=convention, acting_user=online[household.pk])
                continue
            recorder = next((u for path, u in recorders if household.area_path.startswith(path)),
                            self.staff)
            ca.sign_convention(convention=convention, household=household,
                               acting_user=recorder)

    def backdate(self, convention: Convention) -> None:
        """Consulted five to three weeks ago, published three weeks ago, signed since."""
        opens, closes = self.now - timedelta(days=35), self.now - timedelta(days=22)
        published = self.now - timedelta(days=21)
        Consultation.objects.filter(pk=convention.consultation_id).update(opens_at=opens,
                                                                          closes_at=closes)
        answers = list(ConsultationAnswer.objects.filter(
            consultation_id=convention.consultation_id))
        for row in answers:
            row.answered_at = opens + (closes - opens) * self.rng.uniform(0.05, 0.95)
        ConsultationAnswer.objects.bulk_update(answers, ["answered_at"])
        Convention.objects.filter(pk=convention.pk).update(published_at=published)
        signatures = list(ConventionSignature.objects.filter(convention=convention))
        for row in signatures:
            row.signed_at = published + (self.now - published) * self.rng.uniform(0.02, 0.98)
        ConventionSignature.objects.bulk_update(signatures, ["signed_at"])
