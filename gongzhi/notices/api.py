"""JSON API for notices (stub until the endpoints land)."""

from ninja import Router

router = Router()
