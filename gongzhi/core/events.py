"""What the audit log calls things: event kinds, the fields of before → after, objects.

Core imports no app, so each app names the events it writes: its ``AppConfig.ready()``
registers the labels of its own ``events.py``::

    register_event_labels(events.EVENT_LABELS)            # {"volunteering.buy_coupon": ...}
    register_field_labels("volunteering", events.FIELD_LABELS)

A field of before / after reads as the verbose name of the object's model field when the
model has one (a translatable one: Django's made-up English name does not count), else as
the label its app registered. Objects read as their model's verbose name. Nothing here
touches the database, so the audit page costs the same queries however many kinds it shows.
"""

from collections.abc import Mapping

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_event_labels: dict[str, Promise] = {}
_field_labels: dict[str, dict[str, Promise]] = {}

# Shown for what nobody registered (an event kind no code writes any more, a key an old
# version wrote); a test walks the source so that everything written today has its label.
UNKNOWN_EVENT = gettext_lazy("其他操作")
UNKNOWN_FIELD = gettext_lazy("其他字段")
UNKNOWN_OBJECT = gettext_lazy("其他对象")


def _check_app(app_label: str, what: str) -> None:
    if app_label not in apps.app_configs:
        raise ImproperlyConfigured(f"{what}: {app_label!r} is not the label of an installed app")


def _check_label(label, what: str) -> None:
    if not isinstance(label, Promise):
        raise ImproperlyConfigured(f"{what}: the label must be translatable (gettext_lazy)")


def register_event_labels(labels: Mapping[str, Promise]) -> None:
    """Name event kinds: ``{"app.verb_object": gettext_lazy("…"), …}``, app being the
    label of the installed app that writes them."""
    for action, label in labels.items():
        app_label, dot, verb = action.partition(".")
        if not (app_label and dot and verb):
            raise ImproperlyConfigured(f"event kind {action!r} is not app.verb_object")
        _check_app(app_label, action)
        _check_label(label, action)
        _event_labels[action] = label


def register_field_labels(app_label: str, labels: Mapping[str, Promise]) -> None:
    """Name the keys an app's events put in before / after that are no field of the event's
    object with a verbose name of its own (counts, ids of other objects, reasons …)."""
    _check_app(app_label, "field labels")
    own = _field_labels.setdefault(app_label, {})
    for name, label in labels.items():
        _check_label(label, f"{app_label} field {name!r}")
        own[name] = label


def registered_events() -> dict[str, Promise]:
    """Every registered kind with its label, in the order the apps registered them."""
    return dict(_event_labels)


def registered_fields() -> dict[str, dict[str, Promise]]:
    """Every app's registered keys with their labels."""
    return {app_label: dict(labels) for app_label, labels in _field_labels.items()}


def has_event_label(action: str) -> bool:
    return action in _event_labels


def event_label(action: str) -> str:
    """The words for an event kind, in the active language."""
    label = _event_labels.get(action)
    return str(label if label is not None else UNKNOWN_EVENT)


def model_field_label(model, name: str) -> str | None:
    """The translatable verbose name of ``model``'s own field ``name``, if it has one."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, models.Field) and isinstance(field.verbose_name, Promise):
        return str(field.verbose_name)
    return None  # a reverse relation, or a name Django made up from the attribute


def registered_field_label(app_label: str, name: str) -> str | None:
    label = _field_labels.get(app_label, {}).get(name)
    return None if label is None else str(label)


def field_label(name: str, *, action: str = "", model=None) -> str | None:
    """The words for key ``name`` of an event ``action`` on an object of ``model``; None
    when neither the model nor the event's app names it."""
    return model_field_label(model, name) or registered_field_label(
        action.partition(".")[0], name)


def model_for(object_type: str):
    """The model an event's ``object_type`` (``app.model``) names, or None."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_label(object_type: str, model=None) -> str:
    """The words for a kind of object: its model's verbose name."""
    model = model if model is not None else model_for(object_type)
    if model is not None and isinstance(model._meta.verbose_name, Promise):
        return str(model._meta.verbose_name)
    return str(UNKNOWN_OBJECT)


def app_label_text(app_label: str) -> str:
    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return str(UNKNOWN_EVENT)


def event_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Registered kinds for a filter: one group per app, its first choice the whole app
    (``app.`` matches every kind of it)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action, label in _event_labels.items():
        app_label = action.partition(".")[0]
        if app_label not in groups:
            groups[app_label] = [(f"{app_label}.", _("全部（%(app)s）")
                                  % {"app": app_label_text(app_label)})]
        groups[app_label].append((action, str(label)))
    return [(app_label_text(app_label), choices) for app_label, choices in groups.items()]


# --- core's own events (registered by CoreConfig.ready(), as every app does its own) -----

EVENT_LABELS = {
    "core.set_workday_override": gettext_lazy("设置工作日调整"),
    "core.remove_workday_override": gettext_lazy("删除工作日调整"),
    "core.mark_notifications_read": gettext_lazy("标记通知已读"),
}

FIELD_LABELS = {
    "count": gettext_lazy("条数"),
    "all": gettext_lazy("全部标为已读"),
}
