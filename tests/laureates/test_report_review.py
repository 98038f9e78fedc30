"""The officers' review of filed reports (accepted, sent back; the final report closes the
project) and the mails it sends."""

import pytest
from django.core import mail as django_mail
from django.utils import translation

from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from consortia.models import ParticipationRole
from consortia.services.notify import admin_emails
from laureates.errors import LaureateError
from laureates.models import ProjectStatus
from laureates.services import (
    accept_report,
    return_report,
    save_report,
    submit_report,
)
from laureates.services.reports import report_link
from tests.laureates.report_world import (
    FINAL,
    FOLLOWUP,
    PERIODIC,
    K,
    S,
    filed,
    fresh,
    paris,
    report,
    saved,
)

pytestmark = pytest.mark.django_db


# --- the officers' review --------------------------------------------------------------------

def test_only_officers_review_a_filed_report(running):
    w = running
    submitted = filed(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    with pytest.raises(LaureateError):
        accept_report(officer=w.member, report=submitted)
    with pytest.raises(LaureateError):
        return_report(officer=w.member, report=submitted, message="À compléter.")
    assert fresh(submitted).status == S.SUBMITTED
    # A draft is not reviewed.
    with pytest.raises(LaureateError):
        accept_report(officer=w.officer, report=report(w.project, K.PERIODIC))


def test_a_returned_report_is_a_draft_again_with_the_message(running):
    w = running
    submitted = filed(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    for blank in ("", "   ", None):
        with translation.override("en"), pytest.raises(LaureateError) as refused:
            return_report(officer=w.officer, report=submitted, message=blank)
        assert str(refused.value) == "Tell the collective what to change in its report."
    assert fresh(submitted).status == S.SUBMITTED
    now = paris(2026, 10, 2, 10, 0)
    returned = return_report(officer=w.officer, report=submitted,
                             message="  Précisez l'équipe.  ", now=now)
    stored = fresh(returned)
    assert (stored.status, stored.officer_message, stored.reviewed_at, stored.submitted_at) == (
        S.DRAFT, "Précisez l'équipe.", now, None)
    [event] = AuditEvent.objects.filter(action="report.return")
    assert (event.from_state, event.to_state, event.reason) == (
        "submitted", "draft", "Précisez l'équipe.")
    # The collective completes it and files it again.
    again = save_report(user=w.member, report=stored,
                        values={**FOLLOWUP, "team_details": "Deux animateurs à temps plein."},
                        version=stored.version)
    submit_report(user=w.member, report=again, version=fresh(again).version)
    assert fresh(again).status == S.SUBMITTED


def test_accepting_the_launch_follow_up_keeps_the_project_running(running):
    w = running
    submitted = filed(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    accepted = accept_report(officer=w.officer, report=submitted, message=" Merci. ")
    stored = fresh(accepted)
    assert (stored.status, stored.officer_message) == (S.ACCEPTED, "Merci.")
    assert stored.reviewed_at is not None
    assert fresh(w.project).status == ProjectStatus.RUNNING
    assert not AuditEvent.objects.filter(action="project.close").exists()
    with pytest.raises(LaureateError):  # accepted: no longer filed
        accept_report(officer=w.officer, report=stored)
    with pytest.raises(LaureateError):
        save_report(user=w.member, report=stored, values=FOLLOWUP, version=stored.version)


def test_accepting_the_final_report_closes_the_project(running):
    w = running
    submitted = filed(w, K.FINAL, FINAL)
    accept_report(officer=w.officer, report=submitted)
    assert fresh(submitted).status == S.ACCEPTED
    assert fresh(w.project).status == ProjectStatus.CLOSED
    [closed] = AuditEvent.objects.filter(action="project.close")
    assert (closed.object_id, closed.from_state, closed.to_state, closed.actor) == (
        str(w.project.pk), "running", "closed", w.officer)
    assert closed.data == {"report": submitted.pk}
    # Closed: nothing can be written or filed any more.
    periodic = report(w.project, K.PERIODIC)
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        save_report(user=w.member, report=periodic, values=PERIODIC, version=1)
    assert str(refused.value) == "The project is closed: its reports can no longer change."
    with pytest.raises(LaureateError):
        submit_report(user=w.member, report=periodic)
    assert fresh(periodic).version == 1


def test_the_final_report_is_accepted_only_once_the_others_are_reviewed(running):
    w = running
    periodic = filed(w, K.PERIODIC, PERIODIC)
    final = filed(w, K.FINAL, FINAL)
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        accept_report(officer=w.officer, report=final)
    assert "accept or send back the other filed reports first" in str(refused.value)
    assert (fresh(final).status, fresh(w.project).status) == (S.SUBMITTED, w.project.status)
    accept_report(officer=w.officer, report=periodic)
    accept_report(officer=w.officer, report=final)
    assert fresh(w.project).status == ProjectStatus.CLOSED


def test_no_report_is_sent_back_once_the_project_is_closed(running):
    w = running
    accept_report(officer=w.officer, report=filed(w, K.FINAL, FINAL))
    accepted = report(w.project, K.FINAL)
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        return_report(officer=w.officer, report=accepted, message="Précisez les résultats.")
    assert str(refused.value) == "The project is closed: its reports can no longer change."


# --- mails -----------------------------------------------------------------------------------

def test_the_officers_are_told_of_a_filing_after_the_commit(running, eager_celery,
                                                            django_capture_on_commit_callbacks):
    w = running
    draft = saved(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    with django_capture_on_commit_callbacks() as callbacks:
        submit_report(user=w.member, report=draft, version=draft.version)
    assert callbacks  # the mail waits for the commit
    assert not OutgoingMail.objects.filter(cause="laureates:report_filed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    [sent] = OutgoingMail.objects.filter(cause="laureates:report_filed")
    assert sent.to == [w.call.contact_email] == ["appel@example.org"]
    assert w.project.title in sent.subject
    assert f"laureates/report/{draft.pk}/change/" in sent.body_text
    assert sent.status == OutgoingMail.Status.SENT  # delivered once committed
    assert [m.to for m in django_mail.outbox] == [["appel@example.org"]]


def test_filing_again_after_a_return_tells_the_officers_again(
        running, eager_celery, django_capture_on_commit_callbacks):
    w = running
    with django_capture_on_commit_callbacks(execute=True):
        submitted = filed(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    with django_capture_on_commit_callbacks(execute=True):
        return_report(officer=w.officer, report=submitted, message="Merci de vérifier.")
    with django_capture_on_commit_callbacks(execute=True):  # filed again, as it was
        submit_report(user=w.member, report=fresh(submitted))
    assert OutgoingMail.objects.filter(cause="laureates:report_filed").count() == 2


def test_the_lead_is_told_of_a_return_and_of_an_acceptance(running, eager_celery,
                                                           django_capture_on_commit_callbacks):
    w = running
    lead = w.collective.participations.get(role=ParticipationRole.LEAD).organisation
    with django_capture_on_commit_callbacks(execute=True):
        submitted = filed(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        return_report(officer=w.officer, report=submitted, message="Précisez l'équipe.")
    [returned] = OutgoingMail.objects.filter(cause="laureates:report_returned")
    assert returned.to == admin_emails(lead) == [w.member.email]
    assert "Précisez l'équipe." in returned.body_text
    assert report_link(submitted) in returned.body_text
    assert "back to you" in returned.body_text

    draft = fresh(submitted)
    with django_capture_on_commit_callbacks(execute=True):
        submit_report(user=w.member, report=draft)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        accept_report(officer=w.officer, report=draft, message="Très clair.")
    [accepted] = OutgoingMail.objects.filter(cause="laureates:report_accepted")
    assert accepted.to == [w.member.email]
    assert "has accepted" in accepted.body_text and "Très clair." in accepted.body_text
    assert "The project is now closed." not in accepted.body_text


def test_the_acceptance_of_the_final_report_says_the_project_is_closed(
        running, eager_celery, django_capture_on_commit_callbacks):
    w = running
    submitted = filed(w, K.FINAL, FINAL)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        accept_report(officer=w.officer, report=submitted)
    [accepted] = OutgoingMail.objects.filter(cause="laureates:report_accepted")
    assert "The project is now closed." in accepted.body_text
