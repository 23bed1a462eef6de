"""API of conventions, mounted under /api/campaigns/."""

from ninja import Router

router = Router()
