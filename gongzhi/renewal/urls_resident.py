"""Residents' pages for renewal, mounted at /renewal/ (namespace ``renewal``).
Notifications link to /renewal/projects/<id>/ and /renewal/projects/<id>/survey/."""

app_name = "renewal"
urlpatterns: list = []
