"""Reads for the volunteering pages and API, scoped by area."""

from django.db.models import QuerySet

from gongzhi.core.permissions import Perm, scope_q
from gongzhi.volunteering.models import ServiceOrder, Volunteer


def managed_volunteers(user) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


def managed_orders(user) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


# --- orders (menu, four orders) ---------------------------------------------------------------


# --- activities and rosters -------------------------------------------------------------------


# --- hours, rankings, time bank, points -------------------------------------------------------
