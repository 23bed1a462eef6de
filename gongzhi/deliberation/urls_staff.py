"""Deliberation pages (stub until the views land)."""

app_name = "deliberation_staff"
urlpatterns: list = []
