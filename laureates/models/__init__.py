"""The laureates' models: the projects with their agreement, payments and milestones
(`projects`), the launch event and its invitations (`launch`), the follow-up reports
(`reports`)."""

from .launch import Attendance, InvitationAnswer, LaunchEvent, LaunchInvitation
from .projects import (
    MONEY,
    ConventionStatus,
    FollowedProject,
    Milestone,
    MilestoneStatus,
    Payment,
    PaymentKind,
    Project,
    ProjectStatus,
)
from .reports import Report, ReportKind, ReportStatus, TeamInPlace

__all__ = [
    "MONEY", "Attendance", "ConventionStatus", "FollowedProject", "InvitationAnswer",
    "LaunchEvent", "LaunchInvitation", "Milestone", "MilestoneStatus", "Payment", "PaymentKind",
    "Project", "ProjectStatus", "Report", "ReportKind", "ReportStatus", "TeamInPlace",
]
