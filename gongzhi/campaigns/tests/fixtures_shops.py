"""Fixtures of the shops tests (imported by conftest)."""
