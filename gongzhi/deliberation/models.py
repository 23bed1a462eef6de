"""Deliberation (议事协商): councils, topics, meetings, polls, consultations and resolutions.

Residents and the bodies of a neighbourhood decide together: a council (议事会) meets with
an agenda of topics (议题); owners vote (表决) under the Civil Code's art. 278 where the
law asks for it, counted by ``gongzhi.deliberation.tally``; a lift retrofit is consulted
household by household (征询); a passed decision becomes a resolution (决议) that the level
above approves and a public notice (公示) announces. Every change goes through
``gongzhi.deliberation.actions``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode, Household
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.deliberation.tally import ART278_MATTERS, RULES

# --- councils ---------------------------------------------------------------------------------


class CouncilKind(models.TextChoices):
    RESIDENTS = "residents", _("居民议事会")
    RENOVATION = "renovation", _("小区改造议事会")
    JOINT = "joint", _("联席会议")
    BUILDING = "building", _("楼宇理事会")
    FOUR_PARTY = "four_party", _("四方协商")
    RESIDENTS_BOARD = "residents_board", _("居民理事会")


class Council(QuickChoiceLabels):
    kind = models.CharField(_("类型"), max_length=20, choices=CouncilKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    area = models.ForeignKey(AreaNode, verbose_name=_("服务区域"), on_delete=models.PROTECT,
                             related_name="councils")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    # Supports a resident proposal needs before it goes on this council's agenda.
    support_threshold = models.PositiveSmallIntegerField(_("列入议程所需附议数"), default=10)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering = ["area_path", "name"]

    def __str__(self) -> str:
        return self.name


class Capacity(models.TextChoices):
    RESIDENT = "resident", _("居民代表")
    PARTY = "party", _("党组织")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY = "property", _("物业服务企业")
    COMMUNITY = "community", _("社区")
    CO_BUILDING = "co_building", _("共建单位")


class CouncilMember(QuickChoiceLabels):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="council_seats")
    name = models.CharField(_("姓名"), max_length=50)
    capacity = models.CharField(_("身份"), max_length=20, choices=Capacity.choices)
    organisation = models.ForeignKey(Organisation, verbose_name=_("所在单位"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("议事会成员")
        verbose_name_plural = _("议事会成员")
        ordering = ["council", "capacity", "name"]
        constraints = [models.UniqueConstraint(
            fields=["council", "user"], name="council_member_once",
            condition=models.Q(user__isnull=False, left_on__isnull=True))]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_capacity_display()}）"


# --- topics -----------------------------------------------------------------------------------


class TopicSource(models.TextChoices):
    PROPOSAL = "proposal", _("居民提议")
    CASE = "case", _("问题台账")
    STAFF = "staff", _("工作人员提出")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("征集附议")
    AGENDA = "agenda", _("已列入议程")
    DECIDED = "decided", _("已形成决定")
    DECLINED = "declined", _("未采纳")


class Topic(QuickChoiceLabels):
    """议题: what a council deliberates, from a resident, the problem ledger or staff."""

    council = models.ForeignKey(Council, verbose_name=_("议事会"), on_delete=models.PROTECT,
                                related_name="topics")
    area = models.ForeignKey(AreaNode, verbose_name=_("所涉区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    title = models.CharField(_("议题"), max_length=100)
    description = models.TextField(_("说明"))
    source = models.CharField(_("来源"), max_length=10, choices=TopicSource.choices)
    status = models.CharField(_("状态"), max_length=10, choices=TopicStatus.choices,
                              default=TopicStatus.PROPOSED)
    case = models.ForeignKey("cases.Case", verbose_name=_("关联诉求件"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="topics")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decision = models.TextField(_("决定"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TopicSupport(models.Model):
    """A resident's 附议 for a proposal: once each."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议题附议")
        verbose_name_plural = _("议题附议")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} · {self.user_id}"


# --- meetings ---------------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class Meeting(QuickChoiceLabels):
    council = models.ForeignKey(Council, verbose_name=_("议事会"), on_delete=models.PROTECT,
                                related_name="meetings")
    title = models.CharField(_("会议名称"), max_length=100)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    minutes = models.TextField(_("会议纪要"), blank=True)
    # Shown as a QR code at the meeting: members scan it to sign in.
    checkin_token = models.CharField(max_length=32, unique=True, editable=False)
    # A monthly joint meeting (每月联席会议) is one of a series.
    recurring_monthly = models.BooleanField(_("每月例会"), default=False)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def area_path(self) -> str:
        return self.council.area_path


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=0)
    decision = models.TextField(_("决定"), blank=True)

    class Meta:
        verbose_name = _("议程事项")
        verbose_name_plural = _("议程事项")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.topic}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=[("qr", _("扫码签到")),
                                                     ("staff", _("工作人员登记"))])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("会议出席")
        verbose_name_plural = _("会议出席")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"],
                                               name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.member_id}"


# --- polls ------------------------------------------------------------------------------------


class Electorate(models.TextChoices):
    HOUSEHOLDS = "households", _("区域内业主（按专有部分）")
    COUNCIL = "council", _("议事会成员")


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已计票")


RULE_LABELS = {
    "simple": _("简单多数（同意票多于反对票）"),
    "half_participants": _("参与表决者过半数同意"),
    "two_thirds_participants": _("参与表决者三分之二以上同意"),
    "three_quarters_participants": _("参与表决者四分之三以上同意"),
    "art278_half": _("民法典第二百七十八条：双过半"),
    "art278_three_quarters": _("民法典第二百七十八条：双四分之三"),
}


class Poll(QuickChoiceLabels):
    """表决: a question put to the owners of an area or to a council's members."""

    title = models.CharField(_("表决事项"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    area = models.ForeignKey(AreaNode, verbose_name=_("表决范围"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    council = models.ForeignKey(Council, verbose_name=_("议事会"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="polls")
    topic = models.ForeignKey(Topic, verbose_name=_("议题"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="polls")
    electorate = models.CharField(_("表决人"), max_length=12, choices=Electorate.choices)
    rule = models.CharField(_("表决规则"), max_length=32,
                            choices=[(r, RULE_LABELS[r]) for r in RULES])
    matter = models.CharField(_("共同决定事项"), max_length=20, blank=True,
                              choices=[(code, name) for code, name, _rule in ART278_MATTERS])
    secret = models.BooleanField(_("不记名表决"), default=False)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(_("状态"), max_length=8, choices=PollStatus.choices,
                              default=PollStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    counted_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    # The count as it stood when the poll closed (tally.Outcome, as plain numbers).
    outcome = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PollOption(models.Model):
    """A plan to choose among (方案一、方案二…); a poll without options is yes / no / abstain."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("方案"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("表决方案")
        verbose_name_plural = _("表决方案")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class PollUnit(models.Model):
    """One vote of the electorate, frozen when the poll opens: a household (专有部分) with its
    owner and floor area, or a council member."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="units")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    member = models.ForeignKey(CouncilMember, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    # Who owns it: the head's ID number when known, so that one owner of several units
    # counts once by headcount; otherwise the household itself.
    owner_key = models.CharField(max_length=40)
    area = models.DecimalField(max_digits=10, decimal_places=2)
    label = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("投票单元")
        verbose_name_plural = _("投票单元")
        constraints = [
            models.UniqueConstraint(fields=["poll", "household"], name="poll_unit_household",
                                    condition=models.Q(household__isnull=False)),
            models.UniqueConstraint(fields=["poll", "member"], name="poll_unit_member",
                                    condition=models.Q(member__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.label


class BallotSource(models.TextChoices):
    ONLINE = "online", _("线上投票")
    PAPER = "paper", _("纸质表决票")
    HANDS = "hands", _("举手表决记录")


class Ballot(models.Model):
    """One ballot per unit: the database refuses a second (two taps, two devices)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    unit = models.OneToOneField(PollUnit, on_delete=models.CASCADE, related_name="ballot")
    choice = models.CharField(max_length=8)  # yes / no / abstain, or "option" with option set
    option = models.ForeignKey(PollOption, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    source = models.CharField(max_length=8, choices=BallotSource.choices)
    # Entered by staff from a paper or show-of-hands record: who, and from what.
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    record = models.CharField(_("依据"), max_length=200, blank=True)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    cast_at = models.DateTimeField()

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")

    def __str__(self) -> str:
        return f"{self.poll_id} · {self.unit_id}"  # never the choice: ballots may be secret


# --- consultations ----------------------------------------------------------------------------


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("征询中")
    CLOSED = "closed", _("已结束")


class Consultation(QuickChoiceLabels):
    """征询: each household of a building, unit or compound says whether it agrees (the model
    is a lift retrofit, 加装电梯)."""

    title = models.CharField(_("征询事项"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    area = models.ForeignKey(AreaNode, verbose_name=_("征询范围"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    unit = models.CharField(_("单元"), max_length=16, blank=True,
                            help_text=_("只征询一个单元时填写"))
    matter = models.CharField(_("共同决定事项"), max_length=20, default="rebuild",
                              choices=[(code, name) for code, name, _rule in ART278_MATTERS])
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(_("状态"), max_length=8, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("意见征询")
        verbose_name_plural = _("意见征询")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Answer(models.TextChoices):
    AGREE = "agree", _("同意")
    CONDITIONAL = "conditional", _("有条件同意")
    DISAGREE = "disagree", _("不同意")


class ConsultationAnswer(QuickChoiceLabels):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="answers")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("意见"), max_length=12, choices=Answer.choices)
    condition = models.CharField(_("条件"), max_length=300, blank=True)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    record = models.CharField(_("依据"), max_length=200, blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("征询意见")
        verbose_name_plural = _("征询意见")
        constraints = [models.UniqueConstraint(fields=["consultation", "household"],
                                               name="consultation_answer_once")]


# --- resolutions ------------------------------------------------------------------------------


class ResolutionStatus(models.TextChoices):
    DRAFT = "draft", _("拟定")
    SUBMITTED = "submitted", _("报批中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    NOTICE = "notice", _("公示中")
    CARRIED_OUT = "carried_out", _("已实施")


class Resolution(QuickChoiceLabels):
    """决议: what was decided, approved by the level above (报街道审批), published (公示) and
    then carried out; linked to the poll, topic and case it came from."""

    title = models.CharField(_("决议"), max_length=100)
    text = models.TextField(_("决议内容"))
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    poll = models.ForeignKey(Poll, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="resolutions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="resolutions")
    status = models.CharField(_("状态"), max_length=12, choices=ResolutionStatus.choices,
                              default=ResolutionStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    notice = models.ForeignKey("notices.Notice", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_note = models.TextField(_("实施情况"), blank=True)
    # What the resolution decides about, as a link ("<kind>:<id>", notices.subjects), e.g.
    # "renewal.project:3" for a renovation plan.
    subject = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


# --- proposal contests ------------------------------------------------------------------------


class ContestStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    FINISHED = "finished", _("已揭晓")


class Contest(QuickChoiceLabels):
    """金点子提案大赛: residents' proposals judged over rounds; the winners become topics on
    the council's agenda."""

    title = models.CharField(_("大赛名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    council = models.ForeignKey(Council, verbose_name=_("议事会"), on_delete=models.PROTECT,
                                related_name="contests")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=ContestStatus.choices,
                              default=ContestStatus.OPEN)
    judges = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("评委"),
                                    blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提案大赛")
        verbose_name_plural = _("提案大赛")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class RoundStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    JUDGING = "judging", _("评审中")
    CLOSED = "closed", _("已结束")


class ContestRound(QuickChoiceLabels):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("轮次"), max_length=50)
    # How many entries go on to the next round (or win, in the last one).
    advance = models.PositiveSmallIntegerField(_("晋级数"))
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices,
                              default=RoundStatus.PENDING)

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["contest", "order"]
        constraints = [models.UniqueConstraint(fields=["contest", "order"],
                                               name="contest_round_order")]

    def __str__(self) -> str:
        return self.name


class ContestEntry(models.Model):
    """A proposal entered in a contest; ``reached`` is the last round it took part in."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="contest_entries")
    reached = models.ForeignKey(ContestRound, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    won = models.BooleanField(_("获奖"), default=False)

    class Meta:
        verbose_name = _("参赛提案")
        verbose_name_plural = _("参赛提案")
        ordering = ["contest", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "topic"],
                                               name="contest_entry_once")]

    def __str__(self) -> str:
        return str(self.topic)


class Score(models.Model):
    """A judge's score (0–100) for an entry in one round; once per judge, entry and round."""

    entry = models.ForeignKey(ContestEntry, on_delete=models.CASCADE, related_name="scores")
    round = models.ForeignKey(ContestRound, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    points = models.PositiveSmallIntegerField(_("分数"))
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["entry", "round", "judge"],
                                               name="score_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.round_id} · {self.judge_id}"
