"""Models of the applications app: opportunity notes (pre-selection) and full dossiers."""

from .dossiers import (  # noqa: F401
    CorrectionRequest,
    Dossier,
    DossierAttachment,
    DossierSection,
    DossierStatus,
    ExpenseCategory,
    ExpenseLine,
    PartnerCommitment,
    ResourceKind,
    ResourceLine,
    SectionCode,
)
from .notes import (  # noqa: F401
    MONEY,
    Canvas,
    CanvasKind,
    Incubation,
    IncubationMilestone,
    IncubationSession,
    IncubationStatus,
    NoteStatus,
    OpportunityNote,
    ReferenceCounter,
)
