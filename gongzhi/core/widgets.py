"""Form widgets drawn in Python where Django's templates cost more than the page's SQL."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """Attributes in their order, as Django's attrs.html writes them (True: the name alone)."""
    return mark_safe("".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False and value is not None))


class QuickSelect(forms.Select):
    """A ``<select>`` with the same markup as Django's, without one template per option.

    The ledger's filters list every category and organisation; through the template
    engine those lists took a third of the page's time.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        wanted = set(self.format_value(value))
        chosen = [False]  # one <select> selects its first match only, as Django's does

        def option(option_value, label) -> SafeString:
            text = "" if option_value is None else str(option_value)
            selected = text in wanted and not chosen[0]
            chosen[0] = chosen[0] or selected
            return format_html('<option value="{}"{}>{}</option>', text,
                               mark_safe(" selected") if selected else "", label)

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                inner = mark_safe("".join(option(v, lbl) for v, lbl in label))
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', option_value,
                                         inner))
            else:
                parts.append(option(option_value, label))
        return format_html('<select name="{}"{}>{}</select>', name,
                           _attrs(self.build_attrs(self.attrs, attrs)), mark_safe("".join(parts)))


class ListedChoices(ModelChoiceIterator):
    """Model choices read with one plain query, kept for the next render.

    Django's iterator reads them through a server-side cursor (DECLARE … WITH HOLD on
    PostgreSQL: three round trips and a materialised result) for a list of sixty rows.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class QuickSelects:
    """Form mixin: every plain ``<select>`` of the form is drawn by QuickSelect, and model
    choices are read with one query."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            old = field.widget
            if type(old) is not forms.Select:
                continue
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ListedChoices
            new = QuickSelect(attrs=old.attrs)
            new.choices, new.is_required = field.choices, old.is_required
            field.widget = new
