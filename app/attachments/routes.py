"""Serving attachments: to staff of the application's area (here) and to the applicant through
their link (in the applicants feature). Never from static/, never inline."""

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from app.attachments.models import Attachment
from app.attachments.service import path_of
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.core.i18n import gettext as _
from app.core.navigation import CASES
from app.core.params import RecordId
from app.privacy.models import AccessAction
from app.privacy.service import log_access

pages = APIRouter(include_in_schema=False)

CaseWorker = Annotated[User, Depends(require_roles(*CASES.roles))]


def file_response(attachment: Attachment, storage_dir: Path) -> FileResponse:
    """A download that the browser will not render: the stored type, ``attachment``
    disposition and ``nosniff`` (a file that starts like a PDF may still hide HTML)."""
    path = path_of(attachment, storage_dir)
    if not path.is_file():
        raise HTTPException(status_code=404, detail=_("Filen saknas i arkivet."))
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename*=UTF-8''{quote(attachment.original_filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
        },
    )


@pages.get("/attachments/{attachment_id}")
def staff_download(
    request: Request, attachment_id: RecordId, session: DbSession, user: CaseWorker
) -> FileResponse:
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.area_id == user.area_id)
    )
    if attachment is None:
        raise HTTPException(status_code=404)
    response = file_response(attachment, request.app.state.settings.attachments_dir)
    log_access(session, user, AccessAction.OPEN_DOCUMENT, application_id=attachment.application_id)
    session.commit()
    return response
