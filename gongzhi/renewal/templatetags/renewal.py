"""Money as renovation ledgers write it: yuan to the fen with thousands separators
(4,278,450.00) in every language — Django's Chinese locale groups nothing."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
