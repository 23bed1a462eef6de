"""Topics (议题): proposed by residents and supported (附议), raised from the problem ledger,
or put by staff; decided by the council, and the decision flows back to the case."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import Perm, Role
from gongzhi.deliberation.actions._common import actor, require_runner, text
from gongzhi.deliberation.electorate import lives_in
from gongzhi.deliberation.models import Council, Topic, TopicSource, TopicStatus, TopicSupport

FIELDS = ["council", "area", "title", "source", "status", "case", "decision"]



def _check_area(council: Council, area: AreaNode) -> None:
    if not area.path.startswith(council.area_path):
        raise ValidationError({"area": _("议题所涉区域须在议事会服务范围内")})
    if not council.is_active:
        raise ValidationError({"council": _("该议事会已停止活动")})


def _runners(council: Council):
    """Staff who run this council's area (they put topics on its agenda)."""
    from gongzhi.core.permissions import ROLE_PERMS

    roles = [r for r, perms in ROLE_PERMS.items() if Perm.RUN_COUNCILS in perms
             and r != Role.ADMIN]
    return User.objects.filter(is_active=True, role_grants__role__in=roles,
                               role_grants__area__path=council.area_path).distinct()


def _create(council: Council, area: AreaNode, title: str, description: str, source: str,
            status: str, acting_user, case=None) -> Topic:
    _check_area(council, area)
    return Topic.objects.create(
        council=council, area=area, area_path=area.path, source=source, status=status,
        title=text(title, "title", _("请填写议题"), 100),
        description=text(description, "description", _("请说明议题内容"), 5000),
        case=case, proposer=actor(acting_user))


@transaction.atomic
def propose_topic(*, council: Council, title: str, description: str, acting_user,
                  area: AreaNode | None = None) -> Topic:
    """A resident of the council's area proposes (居民提议); supports put it on the agenda."""
    area = area or council.area
    if not lives_in(acting_user, council.area_path):
        raise PermissionDenied(_("只有本区域居民可以提出议题"))
    topic = _create(council, area, title, description, TopicSource.PROPOSAL,
                    TopicStatus.PROPOSED, acting_user)
    audit.record(actor=acting_user, action="deliberation.propose_topic", obj=topic,
                 after=audit.snapshot(topic, FIELDS))
    return topic


@transaction.atomic
def support_topic(*, topic: Topic, acting_user) -> TopicSupport:
    """附议, once per resident; the support that reaches the council's threshold puts the
    proposal on the agenda (the topic row is locked so that exactly one support does)."""
    topic = Topic.objects.select_for_update().select_related("council").get(pk=topic.pk)
    if not lives_in(acting_user, topic.council.area_path):
        raise PermissionDenied(_("只有本区域居民可以附议"))
    if topic.source != TopicSource.PROPOSAL or topic.status not in (TopicStatus.PROPOSED,
                                                                    TopicStatus.AGENDA):
        raise ValidationError(_("该议题不在征集附议阶段"))
    if topic.proposer_id == acting_user.pk:
        raise ValidationError(_("提议人不能附议自己的提议"))
    try:
        with transaction.atomic():
            support = TopicSupport.objects.create(topic=topic, user=acting_user)
    except IntegrityError:
        raise ValidationError(_("您已附议过该议题")) from None
    count = topic.supports.count()
    after = {"supports": count}
    if topic.status == TopicStatus.PROPOSED and count >= topic.council.support_threshold:
        topic.status = TopicStatus.AGENDA
        topic.save(update_fields=["status"])
        after["status"] = topic.status
        notify(_runners(topic.council), kind="deliberation.topic_agenda",
               title=_("提议附议已满 %(n)d 人，列入议程：%(title)s")
               % {"n": count, "title": topic.title},
               url=f"/deliberation/topics/{topic.pk}/")
        if topic.proposer_id:
            notify([topic.proposer], kind="deliberation.topic_agenda",
                   title=_("您的提议已列入议事会议程：%(title)s") % {"title": topic.title},
                   url=f"/deliberation/topics/{topic.pk}/")
    audit.record(actor=acting_user, action="deliberation.support_topic", obj=topic,
                 after=after)
    return support


@transaction.atomic
def raise_topic(*, council: Council, title: str, description: str, acting_user,
                area: AreaNode | None = None) -> Topic:
    """Staff put a topic straight on the agenda (工作人员提出)."""
    require_runner(acting_user, council.area_path)
    topic = _create(council, area or council.area, title, description, TopicSource.STAFF,
                    TopicStatus.AGENDA, acting_user)
    audit.record(actor=acting_user, action="deliberation.raise_topic", obj=topic,
                 after=audit.snapshot(topic, FIELDS))
    return topic


@transaction.atomic
def raise_topic_from_case(*, case, council: Council, acting_user, title: str = "",
                          description: str = "") -> Topic:
    """A case from the ledger that needs the neighbours to decide (停车、加装电梯…) becomes a
    topic; the case's timeline says so, and the decision comes back to it."""
    from gongzhi.cases.actions import record_deliberation

    require_runner(acting_user, council.area_path)
    if Topic.objects.filter(case=case).exclude(status=TopicStatus.DECLINED).exists():
        raise ValidationError(_("该诉求已提交议事协商"))
    area = case.area if case.area.path.startswith(council.area_path) else council.area
    topic = _create(council, area, title or case.title, description or case.description,
                    TopicSource.CASE, TopicStatus.AGENDA, acting_user, case=case)
    audit.record(actor=acting_user, action="deliberation.raise_topic_from_case", obj=topic,
                 after=audit.snapshot(topic, FIELDS))
    record_deliberation(case=case, acting_user=acting_user,
                        note=_("提交%(council)s协商：%(title)s")
                        % {"council": council.name, "title": topic.title},
                        data={"topic": topic.pk})
    return topic


@transaction.atomic
def decide_topic(*, topic: Topic, decision: str, acting_user, adopted: bool = True) -> Topic:
    """The council's decision (决定) or that it declines the topic (未采纳), with reasons."""
    from gongzhi.cases.actions import record_deliberation

    topic = Topic.objects.select_for_update().select_related("council").get(pk=topic.pk)
    require_runner(acting_user, topic.area_path)
    if topic.status in (TopicStatus.DECIDED, TopicStatus.DECLINED):
        raise ValidationError(_("该议题已有决定"))
    before = audit.snapshot(topic, FIELDS)
    topic.decision = text(decision, "decision", _("请填写决定内容或不予采纳的理由"), 5000)
    topic.status = TopicStatus.DECIDED if adopted else TopicStatus.DECLINED
    topic.decided_at = timezone.now()
    topic.save(update_fields=["decision", "status", "decided_at"])
    audit.record(actor=acting_user, action="deliberation.decide_topic", obj=topic,
                 before=before, after=audit.snapshot(topic, FIELDS))
    if topic.case_id:
        label = _("议事决定") if adopted else _("议事会未采纳")
        record_deliberation(case=topic.case, acting_user=acting_user,
                            note=f"{label}：{topic.decision}", data={"topic": topic.pk})
    if topic.proposer_id and topic.source == TopicSource.PROPOSAL:
        notify([topic.proposer], kind="deliberation.topic_decided",
               title=_("您的提议已有决定：%(title)s") % {"title": topic.title},
               url=f"/deliberation/topics/{topic.pk}/")
    return topic
