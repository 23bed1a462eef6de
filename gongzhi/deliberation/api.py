"""JSON API for deliberation (stub until the endpoints land)."""

from ninja import Router

router = Router()
