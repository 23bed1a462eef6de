"""Deadline sweeps that apps add to the worker's periodic scan (``cases.tasks.scan_deadlines``
runs them after its own). Each returns how many things it acted on; core imports no app."""

from collections.abc import Callable

_SWEEPS: dict[str, Callable[[], int]] = {}


def register_sweep(name: str, sweep: Callable[[], int]) -> None:
    _SWEEPS[name] = sweep


def run_sweeps() -> dict[str, int]:
    return {name: sweep() for name, sweep in _SWEEPS.items()}
