"""API shapes for the office's case actions."""

from pydantic import BaseModel, Field


class TransitionRequest(BaseModel):
    """A status change from the API: the same transitions and guards as the case page."""

    name: str = Field(description="Övergångens namn, t.ex. start_review eller ready_for_decision")
    reason: str = Field("", max_length=2000, description="Skäl (krävs för reopen och withdraw)")
    version: int = Field(
        description="Ärendets version som ändringen bygger på (optimistisk låsning)"
    )
