"""Filled in by the staff pages."""

urlpatterns: list = []
