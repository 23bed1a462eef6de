"""Pages of partners; included by urls_staff (namespace ``campaigns_staff``) and urls_resident
(namespace ``campaigns``)."""

staff_urlpatterns: list = []
resident_urlpatterns: list = []
