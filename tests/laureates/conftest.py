from types import SimpleNamespace

import pytest

from laureates.services import open_projects
from tests.evaluation.conftest import _no_pdf_rendering, world  # noqa: F401 - fixtures
from tests.laureates.builders import announce_laureates, selected


@pytest.fixture
def laureate_world(world):  # noqa: F811 - the imported fixture
    """The world's dossier selected (200 000,00 € at 80 %) and announced, its project
    opened; `world.project`, `world.collective`."""
    world.decision = selected(world, dossier=world.dossier)
    announce_laureates(world)
    world.project = open_projects(officer=world.officer, call=world.call)[0]
    world.collective = world.dossier.note.collective
    return world


@pytest.fixture
def other_collective_member(world):  # noqa: F811
    """A member of another collective of the same call (with its own filed dossier)."""
    from tests.evaluation.builders import admissible_dossier

    _dossier, member = admissible_dossier(call=world.call, agent=world.officer)
    return SimpleNamespace(user=member)
