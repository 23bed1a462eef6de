"""The audit log: every action appends exactly one event."""

from typing import Any

from django.db import models

from gongzhi.core.middleware import current_ip
from gongzhi.core.models import AuditEvent


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """JSON-safe values of ``fields`` on ``obj``, for the before / after of an event."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        out[name] = value
    return out


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    area_path: str | None = None,
    outcome: str = "ok",
) -> AuditEvent:
    """Append one audit event for ``action`` on ``obj`` by ``actor`` (None: the system)."""
    if area_path is None:
        area_path = getattr(obj, "area_path", "") or ""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        area_path=area_path,
        before=before,
        after=after,
        ip=current_ip.get(),
        outcome=outcome,
    )
