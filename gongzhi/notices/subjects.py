"""What a notice is about, as a link: each app registers its own kind of subject (notices
imports none of them). ``Notice.subject`` reads "<kind>:<id>", e.g. "deliberation.resolution:7"."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SubjectLink:
    label: str
    url: str


_KINDS: dict[str, tuple[str, Callable[[str], str]]] = {}


def register_subject(kind: str, label: str, url_for: Callable[[str], str]) -> None:
    _KINDS[kind] = (label, url_for)


def subject_link(subject: str) -> SubjectLink | None:
    kind, _sep, key = (subject or "").partition(":")
    if kind not in _KINDS or not key:
        return None
    label, url_for = _KINDS[kind]
    return SubjectLink(str(label), url_for(key))
