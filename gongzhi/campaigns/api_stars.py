"""API of stars, mounted under /api/campaigns/."""

from ninja import Router

router = Router()
