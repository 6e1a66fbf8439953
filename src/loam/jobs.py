"""The Huey instance: SqliteHuey by default, RedisHuey when LOAM_REDIS_URL is set; imports every domain's tasks."""

from __future__ import annotations

import importlib
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from loam.config import settings

if settings.redis_url:
    huey = RedisHuey("loam", url=settings.redis_url)
else:
    Path(settings.huey_path).parent.mkdir(parents=True, exist_ok=True)
    huey = SqliteHuey("loam", filename=settings.huey_path)

for _domain in (
    "pools",
    "bgjobs",
    "imports",
    "exports",
    "search",
    "merge",
    "opportunities",
    "approvals",
    "contracts",
    "receivables",
    "reports",
    "relationships",
):
    try:
        importlib.import_module(f"loam.{_domain}.tasks")
    except ModuleNotFoundError as _exc:
        if _exc.name not in (f"loam.{_domain}", f"loam.{_domain}.tasks"):
            raise
