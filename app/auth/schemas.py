"""API shapes for the current user."""

from pydantic import BaseModel

from app.auth.models import Role


class Me(BaseModel):
    id: int
    email: str
    full_name: str
    area_id: int
    area_name: str
    roles: list[Role]
