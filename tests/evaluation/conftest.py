from importlib import import_module
from types import SimpleNamespace

import pytest

from tests.applications.factories import TINY_PDF
from tests.evaluation.builders import admissible_dossier, evaluator, grid, region_officer
from tests.factories import CallFactory

# Where the filing services render their PDFs (canvases, receipts, the dossier's PDF).
PDF_RENDERERS = ["applications.services.drafts", "applications.services.filing",
                 "applications.services.dossier_filing", "applications.dossier_documents"]


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    """These tests file many dossiers and read none of their PDFs: a one-page stand-in
    replaces WeasyPrint (a second per dossier otherwise)."""
    for path in PDF_RENDERERS:
        try:
            module = import_module(path)
        except ImportError:
            continue
        if hasattr(module, "render_pdf"):
            monkeypatch.setattr(module, "render_pdf", lambda *args, **kwargs: TINY_PDF)


@pytest.fixture
def world(db):
    """A call with a three-criterion grid (weights 20, 20, 10; highest scores 5, 20, 5; the
    third may be not applicable), one admissible dossier, an officer, three evaluators."""
    call = CallFactory()
    criteria = grid(call)
    agent = region_officer()
    dossier, member = admissible_dossier(call=call, agent=agent)
    return SimpleNamespace(call=call, criteria=criteria, officer=agent, dossier=dossier,
                           member=member, ev1=evaluator(), ev2=evaluator(), ev3=evaluator())
