"""Reads for the inbox and the audit log, always limited to what the user may see."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import events
from gongzhi.core.choices import choice_label
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.permissions import Perm, can, scope_paths, scope_q

AUDIT_PAGE_SIZE = 50
# Keys of before / after that may hold personal data; masked unless the viewer is entitled.
_MASKERS = {"phone": mask_phone, "mobile": mask_phone, "id_number": mask_id_number}


def inbox_for(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-id")


def can_view_audit(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or scope_paths(user, Perm.VIEW_AUDIT))


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    changed: bool


@dataclass
class AuditRow:
    event: AuditEvent
    actor_name: str
    actor_username: str
    action_label: str  # the event kind in words (core.events): never the app.verb code
    type_label: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class AuditPage:
    rows: list[AuditRow]
    older_cursor: int | None  # ?before=<id> for the next, older page
    newer_cursor: int | None  # ?after=<id> for the previous, newer page


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def scoped_audit_events(user, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """Events in the user's audit scope that match ``filters`` (unordered)."""
    filters = filters or AuditFilters()
    qs = AuditEvent.objects.filter(scope_q(user, Perm.VIEW_AUDIT, "area_path"))
    if filters.action:
        # "accounts." matches every accounts action; anything else matches exactly.
        if filters.action.endswith("."):
            qs = qs.filter(action__startswith=filters.action)
        else:
            qs = qs.filter(action=filters.action)
    if filters.actor:
        users = get_user_model().objects.filter(username=filters.actor)
        actor_id = users.values_list("pk", flat=True).first()
        if actor_id is None:
            return qs.none()
        qs = qs.filter(actor_id=actor_id)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    # Days are local (Asia/Shanghai); ranges keep the created_at index usable.
    if filters.date_from:
        qs = qs.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return qs


def audit_page(
    user,
    filters: AuditFilters | None = None,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of events by id, newest first: keyset paging, fast however long the log."""
    if not can_view_audit(user):
        return AuditPage([], None, None)
    qs = scoped_audit_events(user, filters).select_related("actor")
    if after is not None:
        events = list(qs.filter(id__gt=after).order_by("id")[: limit + 1])
        has_newer = len(events) > limit
        events = events[:limit][::-1]
        has_older = bool(events) and qs.filter(id__lt=events[-1].id).exists()
    else:
        page_qs = qs.filter(id__lt=before) if before is not None else qs
        events = list(page_qs.order_by("-id")[: limit + 1])
        has_older = len(events) > limit
        events = events[:limit]
        has_newer = before is not None and bool(events) and qs.filter(id__gt=events[0].id).exists()
    return AuditPage(
        rows=[audit_row(user, event) for event in events],
        older_cursor=events[-1].id if has_older else None,
        newer_cursor=events[0].id if has_newer else None,
    )


def object_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The platform's own models by app, for the object-type filter (no database query)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for model in apps.get_models():
        config = model._meta.app_config
        if config.name.startswith("gongzhi."):
            groups.setdefault(str(config.verbose_name), []).append(
                (model._meta.label_lower, events.object_label("", model)))
    return [(group, sorted(choices)) for group, choices in groups.items()]


def _label(event: AuditEvent, model, key: str) -> str:
    """A key of before / after in words: the model's field, else what the event's app
    registered; never the key itself."""
    return events.field_label(key, action=event.action, model=model) or str(
        events.UNKNOWN_FIELD)


def _local_time(value: str) -> str | None:
    """An ISO timestamp with its offset (how snapshots keep datetimes), in Asia/Shanghai."""
    if len(value) < 20 or value[4:5] != "-" or value[10:11] not in ("T", " "):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        return None
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and (local := _local_time(value)):
        return local
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _masked(key: str, value: Any, entitled: bool) -> Any:
    masker = _MASKERS.get(key)
    if masker is None or entitled or not isinstance(value, str):
        return value
    return masker(value)


def _choices_of(model, key: str) -> models.Field | None:
    """The object's own field ``key`` when it has choices, to show a stage or a status by
    its label (储备 → 谋划) instead of its stored value (reserve → planning)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) and field.choices else None


def _worded(choices: models.Field | None, value: Any) -> Any:
    if choices is None or not isinstance(value, (str, int)) or isinstance(value, bool):
        return value
    return choice_label(choices, value)


def audit_row(user, event: AuditEvent) -> AuditRow:
    """An event as ``user`` may read it: field labels, before → after, personal data masked."""
    model = events.model_for(event.object_type)
    entitled = can(user, Perm.VIEW_PERSONAL_DATA, event.area_path)
    before, after = event.before or {}, event.after or {}
    changes = []
    for key in list(dict.fromkeys([*before, *after])):
        old = _masked(key, before.get(key), entitled)
        new = _masked(key, after.get(key), entitled)
        choices = _choices_of(model, key)
        changes.append(
            Change(
                label=_label(event, model, key),
                before=_show(_worded(choices, old)) if key in before else "",
                after=_show(_worded(choices, new)) if key in after else "",
                changed=key not in before or key not in after or old != new,
            )
        )
    actor = event.actor
    return AuditRow(
        event=event,
        actor_name=str(actor) if actor else _("系统"),
        actor_username=actor.get_username() if actor else "",
        action_label=events.event_label(event.action),
        type_label=events.object_label(event.object_type, model),
        changes=changes,
    )
