"""Residents' and volunteers' pages, mounted at /volunteering/ (namespace ``volunteering``):
ordering services and micro-wishes and working on orders in one module, a volunteer's own
activities, shifts, hours, points and rewards in the other. Notifications link to
/volunteering/orders/<id>/, /volunteering/activities/<id>/ and /volunteering/me/."""

from gongzhi.volunteering import urls_me, urls_orders

app_name = "volunteering"
urlpatterns = [*urls_orders.urlpatterns, *urls_me.urlpatterns]
