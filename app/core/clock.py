"""Local time for the area: deadlines and "today" are Swedish dates, storage is UTC."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.config import get_settings


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()
