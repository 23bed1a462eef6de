"""Fixtures of the partners tests (imported by conftest)."""
