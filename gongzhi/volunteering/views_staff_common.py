"""Helpers the volunteering console pages share: who gets in, finding an account, and the
form and paging helpers of ``gongzhi.core.pages``.

The pages: views_staff (home, orders, volunteers, rankings), views_staff_activities
(activities, rosters) and views_staff_catalogue (menu, rewards, coupons, the counter).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.core.pages import (  # noqa: F401  (re-exported)
    PAGE_SIZE,
    apply_errors,
    one_or_404,
    page_of,
    run_form,
    run_step,
)
from gongzhi.core.permissions import Perm, scope_paths

T = "volunteering/staff/"


def require_manager_somewhere(user) -> None:
    """403 unless the user manages volunteering somewhere (the pages then scope to where)."""
    if not (user.is_superuser or scope_paths(user, Perm.MANAGE_VOLUNTEERS)):
        raise PermissionDenied(_("您无权管理志愿服务"))


def scoped(user, qs, message: str, pk):
    """``one_or_404`` after the permission check: no staff role → 403, else out of scope → 404."""
    require_manager_somewhere(user)
    return one_or_404(qs, pk, message)


def find_account(text: str):
    """An active account by username or phone number, or by the phone number on the
    resident record it is linked to when that names one account only (None otherwise)."""
    from django.db.models import Q

    from gongzhi.accounts.models import User

    text = (text or "").strip()
    if not text:
        return None
    found = User.objects.filter(Q(username=text) | Q(phone=text), is_active=True).first()
    if found is None:
        linked = list(User.objects.filter(resident__phone=text, is_active=True)[:2])
        found = linked[0] if len(linked) == 1 else None
    return found
