"""Volunteering pages (stub until the views land)."""

urlpatterns: list = []
