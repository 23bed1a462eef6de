"""JSON API for volunteering (stub until the endpoints land)."""

from ninja import Router

router = Router()
