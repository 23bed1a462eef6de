"""Who may see and work on a case.

Staff roles reach cases through ``gongzhi.core.permissions`` on the case's area path;
handlers reach the cases dispatched to them (or to their organisation); reporters and
supporters reach their own cases. Triage follows ``handling_area``, so once a case is
escalated to the street only street staff and above triage it.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.permissions import Perm, can


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_reporter(user, case) -> bool:
    return _active(user) and case.reporter_id is not None and case.reporter_id == user.pk


def is_supporter(user, case) -> bool:
    return _active(user) and case.supporters.filter(user=user).exists()


def is_org_member(user, org_id: int | None) -> bool:
    if not _active(user) or org_id is None:
        return False
    return user.organisations.filter(pk=org_id, is_active=True).exists()


def is_assigned(user, case) -> bool:
    """The assignee, or a member of the assigned organisation."""
    if not _active(user):
        return False
    if case.assignee_id is not None and case.assignee_id == user.pk:
        return True
    return is_org_member(user, case.assignee_org_id)


# Apps that vouch for people who may be given a case without a staff role (campaigns: the
# accepted 网格合伙人 of the case's grid): ``check(user, case) -> bool`` says whether one
# person may, ``candidates(case) -> QuerySet[User]`` lists them for the dispatch form.
_ASSIGNEES: list[tuple] = []


def register_assignees(check: Callable[[Any, Any], bool],
                       candidates: Callable[[Any], QuerySet]) -> None:
    if (check, candidates) not in _ASSIGNEES:
        _ASSIGNEES.append((check, candidates))


def may_be_assigned(user, case) -> bool:
    """Whom a case may be dispatched to in person: staff who view cases at its place, or
    someone a registered app vouches for."""
    if not _active(user):
        return False
    return can(user, Perm.VIEW_CASES, case) or any(check(user, case)
                                                    for check, _c in _ASSIGNEES)


def other_assignees(case) -> list:
    """The registered apps' candidates for the case (querysets of users)."""
    return [candidates(case) for _check, candidates in _ASSIGNEES]


def can_view_case(user, case) -> bool:
    if not _active(user):
        return False
    return (
        can(user, Perm.VIEW_CASES, case)
        or is_reporter(user, case)
        or is_assigned(user, case)
        or is_supporter(user, case)
    )


def can_triage(user, case) -> bool:
    """Accept, reject, dispatch, merge, approve extensions: staff of the handling level."""
    return can(user, Perm.TRIAGE_CASES, case.handling_area.path)


def can_handle(user, case) -> bool:
    return is_assigned(user, case) or can_triage(user, case)


def can_enter(user, area) -> bool:
    """Record a case found on patrol or taken by phone for ``area``."""
    return can(user, Perm.ENTER_CASES, area)


def is_case_staff(user, case) -> bool:
    """Sees internal notes: handlers and staff whose scope covers the case."""
    return can(user, Perm.VIEW_CASES, case) or is_assigned(user, case)


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def require_view(user, case) -> None:
    if not can_view_case(user, case):
        _deny(_("您无权查看该诉求件"))


def require_triage(user, case) -> None:
    if not can_triage(user, case):
        _deny(_("您无权受理或派发该诉求件"))


def require_handle(user, case) -> None:
    if not can_handle(user, case):
        _deny(_("您无权办理该诉求件"))
