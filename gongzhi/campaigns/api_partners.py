"""API of partners, mounted under /api/campaigns/."""

from ninja import Router

router = Router()
