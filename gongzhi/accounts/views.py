"""Login and logout pages, and the home-page sections that need the area tree."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongzhi.accounts.forms import LoginForm
from gongzhi.areas.models import AreaKind
from gongzhi.areas.selectors import root_nodes
from gongzhi.core.permissions import is_staff_user
from gongzhi.core.views import register_home_panel


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image tag cannot log anyone out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("您已安全退出。"))
        return response


def scope_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Staff: the top nodes of their reach, where their work starts."""
    if not is_staff_user(request.user):
        return None
    return {"roots": list(root_nodes(request.user))}


_PLACE_KINDS = {AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.COMPOUND, AreaKind.BUILDING}


def household_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Residents: their own household."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        return None
    household = resident.household
    building = household.building
    return {
        "household": household,
        "place": [node.name for node in building.ancestors() if node.kind in _PLACE_KINDS],
        "members": household.residents.order_by("-is_head", "id"),
    }


# core may not import the area tree, so this app supplies those sections of core's home.
register_home_panel("accounts.scope", "accounts/panels/scope.html", scope_panel)
register_home_panel("accounts.household", "accounts/panels/household.html", household_panel)
