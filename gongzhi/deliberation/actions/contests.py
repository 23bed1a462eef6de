"""Proposal contests (金点子提案大赛): residents enter proposals, judges score them round by
round, the best go on, and the winners become topics on the council's agenda."""

from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.deliberation.actions._common import require_runner, text
from gongzhi.deliberation.actions.topics import propose_topic
from gongzhi.deliberation.electorate import lives_in
from gongzhi.deliberation.models import (
    Contest,
    ContestEntry,
    ContestRound,
    ContestStatus,
    Council,
    RoundStatus,
    Score,
    Topic,
    TopicStatus,
)

MAX_POINTS = 100


@transaction.atomic
def create_contest(*, council: Council, title: str, rounds: list[tuple[str, int]],
                   judges: list[User], acting_user, description: str = "") -> Contest:
    """``rounds``: (name, how many go on) in order, e.g. [("初评", 10), ("决赛", 3)]."""
    require_runner(acting_user, council.area_path)
    if not rounds:
        raise ValidationError({"rounds": _("至少设置一轮评审")})
    advances = [int(n) for _name, n in rounds]
    if any(n < 1 for n in advances) or advances != sorted(advances, reverse=True):
        raise ValidationError({"rounds": _("每轮晋级数须至少为 1，且逐轮不增加")})
    if not judges:
        raise ValidationError({"judges": _("请指定评委")})
    contest = Contest.objects.create(council=council, area_path=council.area_path,
                                     title=text(title, "title", _("请填写大赛名称"), 100),
                                     description=(description or "").strip())
    ContestRound.objects.bulk_create(
        ContestRound(contest=contest, order=i + 1, advance=n,
                     name=text(name, "rounds", _("请填写轮次名称"), 50))
        for i, (name, n) in enumerate(rounds))
    contest.judges.set(judges)
    audit.record(actor=acting_user, action="deliberation.create_contest", obj=contest,
                 after={"title": contest.title, "rounds": [list(r) for r in rounds],
                        "judges": [j.pk for j in judges]})
    return contest


def first_round(contest: Contest) -> ContestRound:
    return contest.rounds.order_by("order").first()


@transaction.atomic
def enter_contest(*, contest: Contest, title: str, description: str, acting_user
                  ) -> ContestEntry:
    """A resident enters a proposal while the first round has not begun judging."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    first = first_round(contest)
    if contest.status != ContestStatus.OPEN or first.status != RoundStatus.PENDING:
        raise ValidationError(_("提案征集已结束"))
    topic = propose_topic(council=contest.council, title=title, description=description,
                          acting_user=acting_user)
    entry = ContestEntry.objects.create(contest=contest, topic=topic, reached=first)
    audit.record(actor=acting_user, action="deliberation.enter_contest", obj=contest,
                 after={"entry": entry.pk, "topic": topic.pk})
    return entry


def current_round(contest: Contest) -> ContestRound | None:
    return contest.rounds.exclude(status=RoundStatus.CLOSED).order_by("order").first()


@transaction.atomic
def start_judging(*, contest: Contest, acting_user) -> ContestRound:
    """The next round opens for scoring; entries can no longer be added."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    require_runner(acting_user, contest.area_path)
    round_ = current_round(contest)
    if contest.status != ContestStatus.OPEN or round_ is None:
        raise ValidationError(_("大赛已揭晓"))
    if round_.status != RoundStatus.PENDING:
        raise ValidationError(_("本轮已在评审中"))
    if not contest.entries.filter(reached=round_).exists():
        raise ValidationError(_("本轮没有参赛提案"))
    round_.status = RoundStatus.JUDGING
    round_.save(update_fields=["status"])
    audit.record(actor=acting_user, action="deliberation.start_judging", obj=contest,
                 after={"round": round_.pk})
    notify(contest.judges.filter(is_active=True), kind="deliberation.contest_judging",
           title=_("请评审：%(c)s · %(r)s") % {"c": contest.title, "r": round_.name},
           url=f"/deliberation/contests/{contest.pk}/")
    return round_


@transaction.atomic
def score_entry(*, entry: ContestEntry, points: int, acting_user, comment: str = "") -> Score:
    """A judge scores an entry of the round being judged, once."""
    entry = ContestEntry.objects.select_related("contest").get(pk=entry.pk)
    contest = entry.contest
    if not contest.judges.filter(pk=getattr(acting_user, "pk", None)).exists():
        raise PermissionDenied(_("您不是本次大赛的评委"))
    round_ = current_round(contest)
    if round_ is None or round_.status != RoundStatus.JUDGING or entry.reached_id != round_.pk:
        raise ValidationError(_("该提案不在评审中的轮次"))
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise ValidationError({"points": _("分数须为整数")}) from None
    if not 0 <= points <= MAX_POINTS:
        raise ValidationError({"points": _("分数须在 0 至 100 之间")})
    try:
        with transaction.atomic():
            score = Score.objects.create(entry=entry, round=round_, judge=acting_user,
                                         points=points, comment=(comment or "")[:300],
                                         scored_at=timezone.now())
    except IntegrityError:
        raise ValidationError(_("您已为该提案评分")) from None
    audit.record(actor=acting_user, action="deliberation.score_entry", obj=contest,
                 after={"entry": entry.pk, "round": round_.pk, "points": points})
    return score


def standings(round_: ContestRound) -> list[tuple[ContestEntry, Fraction | None]]:
    """Entries of the round by average score (exact), best first; unscored ones last."""
    entries = list(round_.contest.entries.filter(reached=round_).select_related("topic"))
    totals: dict[int, list[int]] = {}
    for entry_id, points in Score.objects.filter(round=round_).values_list("entry_id",
                                                                           "points"):
        totals.setdefault(entry_id, []).append(points)

    def average(entry: ContestEntry) -> Fraction | None:
        marks = totals.get(entry.pk)
        return Fraction(sum(marks), len(marks)) if marks else None

    rows = [(entry, average(entry)) for entry in entries]
    rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0), row[0].pk))
    return rows


@transaction.atomic
def close_round(*, contest: Contest, acting_user) -> list[ContestEntry]:
    """The round's best ``advance`` entries go on; after the last round they win, and each
    winning proposal goes on the council's agenda (金点子 → 项目)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    require_runner(acting_user, contest.area_path)
    round_ = current_round(contest)
    if round_ is None or round_.status != RoundStatus.JUDGING:
        raise ValidationError(_("没有评审中的轮次"))
    rows = standings(round_)
    if any(avg is None for _entry, avg in rows):
        raise ValidationError(_("还有提案未评分"))
    for rank, (entry, _avg) in enumerate(rows, start=1):
        entry.rank = rank
    going_on = [entry for entry, _avg in rows[:round_.advance]]
    following = contest.rounds.filter(order__gt=round_.order).order_by("order").first()
    round_.status = RoundStatus.CLOSED
    round_.save(update_fields=["status"])
    for entry in going_on:
        if following is not None:
            entry.reached = following
        else:
            entry.won = True
    ContestEntry.objects.bulk_update([e for e, _a in rows], ["rank", "reached", "won"])
    if following is None:
        contest.status = ContestStatus.FINISHED
        contest.save(update_fields=["status"])
        Topic.objects.filter(pk__in=[e.topic_id for e in going_on],
                             status=TopicStatus.PROPOSED).update(status=TopicStatus.AGENDA)
        notify([e.topic.proposer for e in going_on if e.topic.proposer_id],
               kind="deliberation.contest_won",
               title=_("您的金点子在%(c)s中获奖，已列入议事会议程") % {"c": contest.title},
               url=f"/deliberation/contests/{contest.pk}/")
    audit.record(actor=acting_user, action="deliberation.close_round", obj=contest,
                 after={"round": round_.pk, "ranks": {e.pk: e.rank for e, _a in rows},
                        "going_on": [e.pk for e in going_on],
                        "finished": following is None})
    return going_on


def may_enter(user, contest: Contest) -> bool:
    return lives_in(user, contest.area_path)
