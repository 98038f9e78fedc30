from datetime import date
from types import SimpleNamespace

import pytest

from calls.calendar import end_of_day, start_of_day
from calls.models import PhaseKind
from consortia.models import ParticipationRole, ParticipationStatus
from laureates.models import (
    LaunchInvitation,
    ProjectStatus,
)
from laureates.services import (
    open_projects,
    save_launch_event,
    send_invitations,
)
from tests.consortia.factories import MembershipFactory, OrganisationFactory, ParticipationFactory
from tests.evaluation.conftest import _no_pdf_rendering, world  # noqa: F401 - fixtures
from tests.factories import PhaseFactory
from tests.laureates.builders import announce_laureates, selected, sign
from tests.laureates.launch_world import VALUES
from tests.laureates.report_world import FOLLOWUP_END


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


# --- the launch event (tests/laureates/test_launch*.py) and the reports (test_report*.py) ---


@pytest.fixture
def launch(laureate_world):
    """The laureate world with: the lead (whose administrator is world.member, plus a plain
    member), the training body of the collective given an administrator, a second confirmed
    partner with its administrator, a withdrawn partner (with an administrator: never
    invited), and the launch event created."""
    w = laureate_world
    participations = {p.role: p for p in w.collective.participations.all()}
    w.lead = participations[ParticipationRole.LEAD].organisation
    w.lead_member = MembershipFactory(organisation=w.lead).user
    w.body = participations[ParticipationRole.PARTNER].organisation
    w.body_admin = MembershipFactory(organisation=w.body, admin=True).user
    w.partner = OrganisationFactory(legal_name="Atelier des savoirs")
    ParticipationFactory(collective=w.collective, organisation=w.partner)
    w.partner_admin = MembershipFactory(organisation=w.partner, admin=True).user
    w.withdrawn = OrganisationFactory(legal_name="Partenaire parti")
    ParticipationFactory(collective=w.collective, organisation=w.withdrawn,
                         status=ParticipationStatus.WITHDRAWN)
    MembershipFactory(organisation=w.withdrawn, admin=True)
    w.event = save_launch_event(officer=w.officer, call=w.call, values=VALUES)
    return w


@pytest.fixture
def invited(launch):
    """The invitations sent (the event is years ahead)."""
    send_invitations(officer=launch.officer, event=launch.event)
    launch.event.refresh_from_db()
    launch.lead_invitation = LaunchInvitation.objects.get(event=launch.event,
                                                          organisation=launch.lead)
    launch.partner_invitation = LaunchInvitation.objects.get(event=launch.event,
                                                             organisation=launch.partner)
    return launch


@pytest.fixture
def followup_world(world):  # noqa: F811 - the imported fixture
    """The world's call with an « operational launch follow-up » phase ending on 30 September
    2027, its dossier selected, announced and opened as a project."""
    PhaseFactory(call=world.call, kind=PhaseKind.LAUNCH_FOLLOWUP,
                 starts_at=start_of_day(date(2027, 9, 1)), ends_at=end_of_day(FOLLOWUP_END))
    world.decision = selected(world, dossier=world.dossier)
    announce_laureates(world)
    [world.project] = open_projects(officer=world.officer, call=world.call)
    world.collective = world.dossier.note.collective
    return world


@pytest.fixture
def running(followup_world):
    """The project with its agreement signed (running)."""
    sign(followup_world, followup_world.project)
    followup_world.project.refresh_from_db()
    assert followup_world.project.status == ProjectStatus.RUNNING
    return followup_world
