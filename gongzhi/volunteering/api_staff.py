"""Staff endpoints of the volunteering API (stub until they land)."""

from ninja import Router

router = Router()
