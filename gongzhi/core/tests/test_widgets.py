"""QuickSelect draws exactly what Django's Select draws."""

import re

import pytest
from django import forms

from gongzhi.core.widgets import QuickSelect

CHOICES = [("", "全部"), ("a", "甲 & <乙>"), ("b", "丙"),
           ("组", [("c1", "组里一"), ("c2", "组里二")])]


def normal(html: str) -> str:
    """Markup without the whitespace between tags that Django's templates leave."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "a", "c2", "nonsense", None])
@pytest.mark.parametrize("attrs", [{}, {"required": True, "class": "x", "disabled": False}])
def test_same_markup_as_djangos_select(value, attrs):
    ours = QuickSelect(choices=CHOICES, attrs=attrs).render("pick", value, {"id": "id_pick"})
    django = forms.Select(choices=CHOICES, attrs=attrs).render("pick", value, {"id": "id_pick"})
    assert normal(ours) == normal(django)
    assert "甲 &amp; &lt;乙&gt;" in ours


def test_model_choices_and_the_selected_one(street):
    from gongzhi.areas.models import AreaNode

    def form(widget):
        class Pick(forms.Form):
            area = forms.ModelChoiceField(queryset=AreaNode.objects.order_by("path"),
                                          widget=widget)
        return Pick(data={"area": street.comm_a.pk})

    html = str(form(QuickSelect)["area"])
    assert f'<option value="{street.comm_a.pk}" selected>活龙社区</option>' in html
    assert normal(html) == normal(str(form(forms.Select)["area"]))
