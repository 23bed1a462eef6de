"""Fixtures of the conventions tests (imported by conftest)."""
