"""Fixtures of the stars tests (imported by conftest)."""
