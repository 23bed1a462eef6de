"""Input checks the actions of every app share."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def required_text(value, field: str, message: str, max_length: int | None = None) -> str:
    """``value`` stripped; ``message`` (on ``field``) if blank, a length error if too long."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if max_length and len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)d 个字") % {"n": max_length}})
    return value
