"""What every page needs: who is logged in, the console navigation or the residents' menu,
display preferences."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from gongzhi.core.notifications import unread_count
from gongzhi.core.permissions import Perm, Role, roles, scope_paths, uses_console

LARGE_TEXT_COOKIE = "gz_large_text"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # Who sees the entry: None = every console user, a Perm = holders of it anywhere,
    # "admin" = users admitted to the Django admin site, "cases" = who works on cases
    # (VIEW_CASES anywhere, or a member of an organisation cases are dispatched to).
    needs: Perm | str | None = None
    # Other pages that light this entry up (by default: every page of its app).
    also: tuple[str, ...] = ()


# The staff console, by app. Entries whose URL is not (yet) defined are left out.
CONSOLE_NAV: list[NavItem] = [
    NavItem(_("首页"), "core:home"),
    NavItem(_("问题台账"), "cases:ledger", "cases"),
    NavItem(_("挂图作战"), "cases:wall_home", Perm.VIEW_CASES, also=("cases:wallchart",)),
    NavItem(_("诉求指标"), "cases_kpi:home", Perm.VIEW_CASES, also=("cases_kpi:area",)),
    NavItem(_("议事协商"), "deliberation_staff:home", Perm.RUN_COUNCILS),
    NavItem(_("公示公告"), "notices:manage", Perm.PUBLISH_NOTICES),
    NavItem(_("志愿服务"), "volunteering_staff:home", Perm.MANAGE_VOLUNTEERS),
    NavItem(_("小区改造"), "renewal_staff:home", Perm.MANAGE_RENEWAL),
    NavItem(_("文明创建"), "campaigns_staff:start", Perm.INSPECT),
    NavItem(_("区域"), "areas:browser", Perm.VIEW_AREA),
    NavItem(_("审计日志"), "core:audit", Perm.VIEW_AUDIT),
    NavItem(_("通知"), "core:inbox"),
    NavItem(_("管理后台"), "admin:index", "admin"),
]


def _allowed(user, needs: Perm | str | None) -> bool:
    if needs is None:
        return True
    if needs == "admin":
        return bool(user.is_active and user.is_staff)
    if needs == "cases":
        return bool(user.is_superuser or scope_paths(user, Perm.VIEW_CASES)
                    or Role.ORG_MEMBER in roles(user))
    return bool(user.is_superuser or scope_paths(user, needs))


def _lights_up(item: NavItem, current: str) -> bool:
    return current == item.url_name or current in item.also


def console_nav(request: HttpRequest) -> list[dict]:
    """The console entries this user may open, the current one marked."""
    user = request.user
    current = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    # A page no entry names lights up its app's first entry; core's entries are single pages.
    claimed = any(_lights_up(item, current) for item in CONSOLE_NAV)
    app = current.split(":")[0] if not claimed and ":" in current else ""
    items = []
    for item in CONSOLE_NAV:
        if not _allowed(user, item.needs):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = _lights_up(item, current)
        if app and app != "core" and item.url_name.startswith(app + ":"):
            active, app = True, ""
        items.append({"label": item.label, "url": url, "active": active})
    return items


# --- the residents' menu -------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentEntry:
    """One entry of the residents' menu, added by the app whose pages it opens."""

    name: str
    label: str
    order: int
    # The entry's URL for this request, or None when it is not for this user.
    url: Callable[[HttpRequest], str | None]
    # View names that light it up; a name ending in ":" stands for its whole namespace.
    # The first entry (in menu order) that matches the current page is the one marked.
    lights: tuple[str, ...] = ()
    # The one thing residents come for most (我要报事) stands out.
    primary: bool = False


_resident_entries: dict[str, ResidentEntry] = {}


def register_resident_entry(name: str, label: str, order: int,
                            url: Callable[[HttpRequest], str | None],
                            lights: tuple[str, ...] = (), primary: bool = False) -> None:
    """Let an app below core (which core may not import) add an entry to the residents' menu.

    ``url`` runs on every page a resident opens: keep it to one cheap query at most.
    """
    _resident_entries[name] = ResidentEntry(name, label, order, url, lights, primary)


def _matches(entry: ResidentEntry, current: str) -> bool:
    return any(current == name or (name.endswith(":") and current.startswith(name))
               for name in entry.lights)


def resident_nav(request: HttpRequest) -> list[dict]:
    """The residents' menu: report, my cases, votes, volunteering, renovation, notifications."""
    current = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    items, marked = [], False
    for entry in sorted(_resident_entries.values(), key=lambda e: e.order):
        try:
            url = entry.url(request)
        except NoReverseMatch:
            continue
        if not url:
            continue
        active = not marked and _matches(entry, current)
        marked = marked or active
        items.append({"name": entry.name, "label": entry.label, "url": url, "active": active,
                      "primary": entry.primary})
    return items


register_resident_entry("core.inbox", _("通知"), 90, lambda request: reverse("core:inbox"),
                        lights=("core:inbox",))


def role_summary(user) -> str:
    """Roles with the area each covers, e.g. 社区工作者 · 活龙社区."""
    parts = [
        f"{grant.get_role_display()} · {grant.area.name}"
        for grant in user.role_grants.select_related("area").order_by("area__path", "role")[:4]
    ]
    parts += [str(org) for org in user.organisations.filter(is_active=True)[:2]]
    if user.is_superuser and not parts:
        parts.append(str(_("超级管理员")))
    return "、".join(parts)


def navigation(request: HttpRequest) -> dict:
    large_text = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_staff_console": False, "large_text": large_text}
    staff = uses_console(user)
    return {
        "is_staff_console": staff,
        "large_text": large_text,
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "role_summary": SimpleLazyObject(lambda: role_summary(user)),
        "console_nav": SimpleLazyObject(lambda: console_nav(request)) if staff else [],
        # Residents (everyone who does not work at the console) get their own menu.
        "resident_nav": [] if staff else SimpleLazyObject(lambda: resident_nav(request)),
    }
