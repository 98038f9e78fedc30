"""Officers manage calls in the admin: changes are audited, calendar warnings are shown."""

from datetime import date

import pytest

from calls import services
from calls.calendar import end_of_day, start_of_day
from calls.models import Call, CallStatus, Phase, PhaseKind
from calls.workflow import CALL_LIFECYCLE
from connaissance.audit.models import AuditEvent
from connaissance.formatting import to_paris
from connaissance.workflow import TransitionNotAllowed
from tests.factories import CallFactory, UserFactory, officer
from tests.formsets import management

pytestmark = pytest.mark.django_db

CALL_FIELDS = ["title", "slug", "reference_prefix", "summary", "description", "region",
               "budget_envelope", "min_projects", "max_projects", "min_award", "max_award",
               "min_rate", "max_rate", "bonus_points", "bonus_reading",
               "project_duration_months", "eligibility_end", "contact_role", "contact_email",
               "upload_max_mb", "reminder_days"]


def change_form_data(call, **overrides):
    data = {name: getattr(call, name) for name in CALL_FIELDS}
    data["excludes_training_costs"] = "on" if call.excludes_training_costs else ""
    phases = list(call.phases.all())
    data.update(management("phases", total=len(phases), initial=len(phases)))
    for i, phase in enumerate(phases):
        prefix = f"phases-{i}-"
        data[prefix + "id"] = phase.pk
        data[prefix + "call"] = call.pk
        data[prefix + "kind"] = phase.kind
        data[prefix + "date_label"] = phase.date_label
        data[prefix + "note"] = phase.note
        if phase.starts_at:
            data[prefix + "start_date"] = to_paris(phase.starts_at).date().isoformat()
        if phase.ends_at:
            data[prefix + "end_date"] = to_paris(phase.ends_at).date().isoformat()
    for inline in ("axes", "programmes", "low_supply_territories", "required_documents"):
        data.update(management(inline, total=0))
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(overrides)
    return data


def test_change_page_shows_the_calendar_warnings(client, call_2023):
    client.force_login(officer())
    html = client.get(f"/admin/calls/call/{call_2023.pk}/change/").content.decode()
    assert 'class="calendar-warnings"' in html
    assert "14 février 2022" in html


def test_list_page_has_filters_and_bounded_queries(client, call_2023,
                                                  django_assert_max_num_queries):
    client.force_login(officer())
    CallFactory.create_batch(5)
    with django_assert_max_num_queries(20):
        response = client.get("/admin/calls/call/")
    assert response.status_code == 200
    assert "?status__exact=published" in response.content.decode()


def test_editing_a_call_and_its_phases_is_audited(client, call_2023):
    agent = officer()
    client.force_login(agent)
    incubation = Phase.objects.get(call=call_2023, kind=PhaseKind.INCUBATION)
    data = change_form_data(call_2023, budget_envelope="4000000.00")
    index = list(call_2023.phases.all()).index(incubation)
    data[f"phases-{index}-start_date"] = "2023-02-14"
    response = client.post(f"/admin/calls/call/{call_2023.pk}/change/", data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    call_2023.refresh_from_db()
    incubation.refresh_from_db()
    assert call_2023.budget_envelope == 4000000
    assert incubation.starts_at == start_of_day(date(2023, 2, 14))
    # an end left as a date means the whole day
    assert incubation.ends_at == end_of_day(date(2023, 5, 14))
    events = AuditEvent.objects.for_object(call_2023)
    updated = events.get(action="call.updated")
    assert updated.actor == agent
    assert updated.data["changes"]["budget_envelope"][1] == "4000000.00"
    phase_event = events.get(action="phase.updated")
    assert phase_event.data["phase"] == "incubation"
    assert "start_date" in phase_event.data["changes"]
    # the typo fixed by the officer, the warnings are gone
    assert "calendar-warnings" not in response.content.decode()


def test_a_phase_with_a_time_keeps_it(client, call_2023):
    client.force_login(officer())
    filing = list(call_2023.phases.all()).index(
        Phase.objects.get(call=call_2023, kind=PhaseKind.FILING))
    data = change_form_data(call_2023, **{f"phases-{filing}-end_time": "12:00"})
    client.post(f"/admin/calls/call/{call_2023.pk}/change/", data)
    ends = to_paris(Phase.objects.get(call=call_2023, kind=PhaseKind.FILING).ends_at)
    assert (ends.date(), ends.hour, ends.minute) == (date(2023, 5, 15), 12, 0)


def test_officer_cannot_set_status_through_the_form(client, call_2023):
    client.force_login(officer())
    data = change_form_data(call_2023, status="draft")
    client.post(f"/admin/calls/call/{call_2023.pk}/change/", data)
    call_2023.refresh_from_db()
    assert call_2023.status == CallStatus.PUBLISHED


def test_collective_member_and_anonymous_cannot_reach_the_call_admin(client, call_2023):
    url = f"/admin/calls/call/{call_2023.pk}/change/"
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/compte/login/")
    client.force_login(UserFactory(roles=["collective_member"]))
    assert client.get(url, follow=True).status_code == 404


def test_publish_action_goes_through_the_transition_table(client):
    agent = officer()
    client.force_login(agent)
    draft = CallFactory(status=CallStatus.DRAFT)
    client.post("/admin/calls/call/", {"action": "publish_calls", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == CallStatus.PUBLISHED
    event = AuditEvent.objects.for_object(draft).get(action="call.publish")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "published", agent)


@pytest.mark.parametrize("start, target, allowed", [
    ("draft", "published", True), ("published", "draft", True),
    ("published", "archived", True), ("archived", "published", True),
    ("draft", "archived", False), ("archived", "draft", False),
    ("draft", "draft", False), ("published", "published", False),
])
def test_call_transition_table(start, target, allowed):
    call = CallFactory(status=start)
    assert CALL_LIFECYCLE.can(start, target) is allowed
    if allowed:
        CALL_LIFECYCLE.apply(call, to_state=target, actor=None, reason="test")
        assert Call.objects.get(pk=call.pk).status == target
        assert AuditEvent.objects.for_object(call).filter(to_state=target).exists()
    else:
        with pytest.raises(TransitionNotAllowed):
            CALL_LIFECYCLE.apply(call, to_state=target, actor=None)
        assert Call.objects.get(pk=call.pk).status == start


def test_publish_service_records_the_calendar_warnings(call_2023):
    services.unpublish(call=call_2023, actor=None, reason="relecture")
    services.publish(call=call_2023, actor=None)
    event = AuditEvent.objects.for_object(call_2023).get(action="call.publish")
    assert set(event.data["warnings"]) == {"before_publication", "too_long"}
