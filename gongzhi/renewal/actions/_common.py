"""What every renewal action shares: who may manage, locks, money and photo checks."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode
from gongzhi.cases.photos import CheckedPhoto
from gongzhi.core import audit
from gongzhi.core.checks import required_text as text  # noqa: F401  (re-exported)
from gongzhi.core.permissions import Perm, can
from gongzhi.renewal.models import Photo, Project

PROJECT_FIELDS = ["name", "batch", "area", "stage", "plan_status", "poll", "consultation",
                  "resolution", "funding_notice", "planned_start", "planned_end",
                  "management", "manager"]
MAX_AMOUNT = Decimal("999999999999.99")


def may_manage(user, area: AreaNode | str) -> bool:
    return can(user, Perm.MANAGE_RENEWAL, area)


def require_manager(acting_user, area: AreaNode | str) -> None:
    """Staff who run renovation for ``area`` (None: the system, e.g. the demo loader)."""
    if acting_user is not None and not may_manage(acting_user, area):
        raise PermissionDenied(_("您无权管理该区域的老旧小区改造"))


def community_staff(area_path: str):
    """The community staff over ``area_path``: told of decisions and refusals."""
    from gongzhi.accounts.models import User
    from gongzhi.core.permissions import Role
    from gongzhi.core.tree import ancestor_paths

    return User.objects.filter(is_active=True, role_grants__role=Role.COMMUNITY_STAFF,
                               role_grants__area__path__in=ancestor_paths(area_path)
                               ).distinct()


def actor(user):
    return user if getattr(user, "pk", None) else None


def lock_project(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("area").get(
        pk=project.pk)


def money(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in yuan, to the fen: positive (or zero), never more than the column holds."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") \
            else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("请填写金额（元）")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("金额最多保留两位小数（到分）")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("金额须大于零")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("金额过大")})
    return amount.quantize(Decimal("0.01"))


def record_project(project: Project, acting_user, action: str, before: dict | None,
                   **extra) -> None:
    audit.record(actor=acting_user, action=f"renewal.{action}", obj=project, before=before,
                 after=audit.snapshot(project, PROJECT_FIELDS) | extra)


def save_photos(photos: list[CheckedPhoto], *, area_path: str, **owner) -> list[Photo]:
    """Store checked photos against their owner (a project, record, progress log or
    inspection); repeats of the same file on the same owner are kept once."""
    have = set(Photo.objects.filter(**owner).values_list("sha256", flat=True))
    saved = []
    for photo in photos:
        if photo.sha256 in have:
            continue
        have.add(photo.sha256)
        row = Photo(area_path=area_path, content_type=photo.content_type, size=photo.size,
                    sha256=photo.sha256, **owner)
        row.image.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.data),
                       save=False)
        row.save()
        saved.append(row)
    return saved
