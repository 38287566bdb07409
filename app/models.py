"""Imports every feature's models so that ``Base.metadata`` is complete (Alembic, tests)."""

from app.applicants.models import ApplicantLink
from app.applications.models import (
    Application,
    CostLine,
    FinancingLine,
    InformationRequest,
    ReferenceCounter,
)
from app.areas.models import (
    ActionArea,
    Area,
    BasicCondition,
    ProgrammePeriod,
    SelectionCriterion,
)
from app.attachments.models import Attachment
from app.audit.models import AuditEvent
from app.auth.models import LoginAttempt, User, UserRole, UserSession
from app.board.models import BoardMember
from app.casework.models import CaseNote, ChecklistAnswer, DecisionProposal, ScoreProposal
from app.dashboard.models import ActivityProgress, OperationActivity, OperationGoal
from app.db import Base
from app.decisions.models import Decision
from app.email.models import OutboxMessage
from app.ledger.models import LedgerEntry, LedgerTotal
from app.meetings.models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    ItemScore,
    Meeting,
    MinutesCorrection,
    Vote,
)
from app.organisations.models import Organisation
from app.payments.models import Payment, PaymentClaim
from app.privacy.models import PersonalDataAccess
from app.reports.models import FinalReport
from app.umbrellas.models import UmbrellaProject

__all__ = [
    "ActionArea",
    "ActivityProgress",
    "AgendaItem",
    "ApplicantLink",
    "Application",
    "Area",
    "Attachment",
    "Attendance",
    "AuditEvent",
    "Base",
    "BasicCondition",
    "BoardMember",
    "CaseNote",
    "ChecklistAnswer",
    "ConflictDeclaration",
    "CostLine",
    "Decision",
    "DecisionProposal",
    "FinalReport",
    "FinancingLine",
    "InformationRequest",
    "ItemScore",
    "LedgerEntry",
    "LedgerTotal",
    "LoginAttempt",
    "Meeting",
    "MinutesCorrection",
    "OperationActivity",
    "OperationGoal",
    "Organisation",
    "OutboxMessage",
    "Payment",
    "PaymentClaim",
    "PersonalDataAccess",
    "ProgrammePeriod",
    "ReferenceCounter",
    "ScoreProposal",
    "SelectionCriterion",
    "UmbrellaProject",
    "User",
    "UserRole",
    "UserSession",
    "Vote",
]
