"""Volunteering (志愿服务): volunteers and teams, the service menu, the four orders (四单),
activities, duty rosters, and the ledgers of hours, time-bank units and points.

Teams are organisations of kind 志愿服务队 (``accounts``), shops giving neighbour coupons
organisations of kind 商户; their members are users. Hours, units and points are
append-only ledgers: a balance is always a sum of entries, never a stored number. Every
change goes through ``gongzhi.volunteering.actions``.
"""

from gongzhi.volunteering.models.activities import (
    Activity,
    ActivitySignup,
    ActivityStatus,
    Shift,
    ShiftSignup,
    ShiftSwap,
    ShiftTemplate,
    SignupStatus,
    SwapStatus,
)
from gongzhi.volunteering.models.ledgers import (
    Coupon,
    CouponCode,
    HoursEntry,
    HoursSource,
    PointsEntry,
    PointsReason,
    PointsRule,
    Redemption,
    Reward,
    RuleCode,
    TimeBankEntry,
    TimeBankKind,
)
from gongzhi.volunteering.models.orders import (
    ACTIVE_ORDER_STATUSES,
    OrderEvent,
    OrderKind,
    OrderStatus,
    Rating,
    ServiceOrder,
)
from gongzhi.volunteering.models.volunteers import (
    Library,
    ServiceItem,
    Volunteer,
    VolunteerStatus,
)

__all__ = [
    "ACTIVE_ORDER_STATUSES", "Activity", "ActivitySignup", "ActivityStatus", "Coupon",
    "CouponCode", "HoursEntry", "HoursSource", "Library", "OrderEvent", "OrderKind",
    "OrderStatus", "PointsEntry", "PointsReason", "PointsRule", "Rating", "Redemption",
    "Reward", "RuleCode", "ServiceItem", "ServiceOrder", "Shift", "ShiftSignup", "ShiftSwap",
    "ShiftTemplate", "SignupStatus", "SwapStatus", "TimeBankEntry", "TimeBankKind",
    "Volunteer", "VolunteerStatus",
]
