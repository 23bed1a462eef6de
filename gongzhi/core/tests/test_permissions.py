from gongzhi.areas.models import Household
from gongzhi.core.permissions import Perm, can, scope_q


def test_grid_worker_reaches_only_own_grid(street):
    households = Household.objects.filter(scope_q(street.worker_a1, Perm.VIEW_HOUSEHOLDS,
                                                  "area_path"))
    assert set(households) == {street.h1, street.h2}
    assert can(street.worker_a1, Perm.VIEW_PERSONAL_DATA, street.h1)
    assert not can(street.worker_a1, Perm.VIEW_PERSONAL_DATA, street.h3)


def test_community_staff_reach_their_community_only(street):
    households = Household.objects.filter(scope_q(street.staff_a, Perm.VIEW_HOUSEHOLDS,
                                                  "area_path"))
    assert set(households) == {street.h1, street.h2, street.h3}
    assert not can(street.staff_a, Perm.VIEW_HOUSEHOLDS, street.h4)


def test_street_staff_see_households_but_not_personal_data(street):
    assert can(street.street_staff, Perm.VIEW_HOUSEHOLDS, street.h4)
    assert not can(street.street_staff, Perm.VIEW_PERSONAL_DATA, street.h4)


def test_resident_sees_own_household_only(street):
    assert can(street.resident, Perm.VIEW_PERSONAL_DATA, street.h2)
    assert can(street.resident, Perm.VIEW_PERSONAL_DATA, street.r2)
    assert not can(street.resident, Perm.VIEW_PERSONAL_DATA, street.h1)
    assert not can(street.resident, Perm.VIEW_HOUSEHOLDS, street.h1)


def test_organisation_member_scoped_to_served_area(street):
    assert can(street.property_member, Perm.VIEW_AREA, street.b1)
    assert not can(street.property_member, Perm.VIEW_AREA, street.b2)


def test_anonymous_and_inactive_users_may_do_nothing(street):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Perm.VIEW_AREA, street.city)
    street.admin.is_active = False
    assert not can(street.admin, Perm.VIEW_AREA, street.city)
