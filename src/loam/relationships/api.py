"""JSON endpoints of the relationships domain, one module per part of the method."""

from __future__ import annotations

from fastapi import APIRouter

from loam.relationships import (
    api_health,
    api_layers,
    api_network,
    api_powermap,
    api_profiles,
    api_scenarios,
    api_settings,
)

router = APIRouter()
for _part in (api_profiles, api_layers, api_health, api_settings, api_powermap, api_network, api_scenarios):
    router.include_router(_part.router)
