"""API of shops, mounted under /api/campaigns/."""

from ninja import Router

router = Router()
