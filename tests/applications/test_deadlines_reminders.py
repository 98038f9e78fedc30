"""Reminders to collectives that have not filed (at the call's reminder days, J-7 and J-1 by
default, from 09:00 Paris time), the rule after a scheduler outage, and the notice sent to
pre-selected collectives when the full dossier opens. Each notice goes once, however often the
jobs run, and even when two runs race."""

import threading

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from applications import tasks
from applications.models import DossierStatus
from applications.services import deadlines
from connaissance.mail.models import OutgoingMail
from tests.applications.deadline_builders import (
    admins_of,
    collective_with_admin,
    deadline_call,
    draft_note,
    filed_note,
    officers,
    paris,
    preselected,
)

pytestmark = pytest.mark.django_db


def reminders(kind="note"):
    return OutgoingMail.objects.filter(cause=f"applications:{kind}_reminder").order_by("pk")


def keys(kind="note"):
    return sorted(key.rsplit(":", 1)[1] for key in
                  reminders(kind).values_list("dedup_key", flat=True))


@pytest.fixture
def world():
    call = deadline_call()
    draft, draft_admin = draft_note(call)
    blank, blank_admin = collective_with_admin(call)  # formed, note never opened
    filed, _ = filed_note(call)
    return call, draft, draft_admin, blank, blank_admin, filed


def run_at(*when):
    with time_machine.travel(paris(*when), tick=False):
        tasks.remind_drafts.delay()


def test_reminders_go_at_j7_and_j1_only_to_collectives_that_have_not_filed(world,
                                                                             eager_celery):
    _call, draft, draft_admin, blank, blank_admin, filed = world
    run_at(2030, 3, 8, 8, 59)  # J-7, before 09:00
    assert not reminders().exists()
    run_at(2030, 3, 8, 9, 5)
    assert keys() == ["J-7", "J-7"]
    recipients = sorted(r for mail in reminders() for r in mail.to)
    assert recipients == sorted([draft_admin.email, blank_admin.email])
    assert not any(set(admins_of(filed.collective)) & set(m.to) for m in reminders())
    run_at(2030, 3, 8, 10, 5)  # next hourly run
    run_at(2030, 3, 11, 9, 5)  # between J-7 and J-1
    assert reminders().count() == 2
    run_at(2030, 3, 14, 9, 5)  # J-1
    assert keys() == ["J-1", "J-1", "J-7", "J-7"]
    run_at(2030, 3, 16, 9, 5)  # closed: nothing more
    assert reminders().count() == 4


def test_the_reminder_gives_the_deadline_in_words_and_the_link_to_the_draft(world,
                                                                          eager_celery):
    _call, draft, draft_admin, *_ = world
    run_at(2030, 3, 14, 9, 5)
    mail = reminders().get(to=[draft_admin.email])
    assert "15 mars 2030 à 23 h 59, heure de Paris" in mail.subject
    assert "15 mars 2030 à 23 h 59, heure de Paris" in mail.body_text
    link = f"/collectifs/{draft.collective.pk}/note/"
    assert link in mail.body_text and 'href="http' in mail.body_html and link in mail.body_html
    assert mail.body_html.lstrip().lower().startswith("<!doctype html>")


def test_the_reminder_text_in_english(world):
    _call, draft, draft_admin, *_ = world
    with translation.override("en"):
        deadlines.remind_drafts(now=paris(2030, 3, 14, 9, 5))
        mail = reminders().get(to=[draft_admin.email])
    assert mail.subject.startswith("Reminder: your opportunity note is not filed yet")
    assert "15 March 2030 at 23:59, Paris time" in mail.body_text
    assert f"“{draft.collective.name}”" in mail.body_text
    assert "Time left: 1 day and 14 hours" in mail.body_text


def test_beat_down_at_j7_back_at_j2_sends_the_late_j7_then_j1(world):
    # The scheduler stopped before J-7 and came back at J-2: J-1 is not due yet, so the
    # missed J-7 reminder still goes (late, its text computed now); J-1 goes when due.
    deadlines.remind_drafts(now=paris(2030, 3, 13, 10, 5))
    assert keys() == ["J-7", "J-7"]
    deadlines.remind_drafts(now=paris(2030, 3, 14, 9, 5))
    assert keys() == ["J-1", "J-1", "J-7", "J-7"]


def test_beat_back_after_j1_never_sends_the_stale_j7(world):
    deadlines.remind_drafts(now=paris(2030, 3, 15, 10, 5))
    deadlines.remind_drafts(now=paris(2030, 3, 15, 11, 5))
    assert keys() == ["J-1", "J-1"]


def test_the_reminder_days_are_the_calls_setting(world):
    call = world[0]
    call.reminder_days = "3"
    call.save()
    for day in (8, 11, 12, 14):
        deadlines.remind_drafts(now=paris(2030, 3, day, 9, 5))
    assert keys() == ["J-3", "J-3"]
    call.reminder_days = ""
    call.save()
    OutgoingMail.objects.all().delete()
    deadlines.remind_drafts(now=paris(2030, 3, 14, 9, 5))
    assert not reminders().exists()


def test_dossier_reminders_go_to_preselected_collectives_without_a_filed_dossier():
    call = deadline_call()
    with_draft, draft_admin = preselected(call, dossier_status=DossierStatus.DRAFT)
    not_opened, other_admin = preselected(call)
    preselected(call, dossier_status=DossierStatus.SUBMITTED)
    draft_note(call)  # the notes' window is closed: no note reminder in May
    deadlines.remind_drafts(now=paris(2030, 5, 8, 9, 5))
    assert sorted(m.to[0] for m in reminders("dossier")) == sorted(
        [draft_admin.email, other_admin.email])
    assert keys("dossier") == ["J-7", "J-7"]
    assert not reminders("note").exists()
    mail = reminders("dossier").get(to=[draft_admin.email])
    assert f"/collectifs/{with_draft.collective.pk}/dossier/" in mail.body_text
    assert "15 mai 2030" in mail.body_text


def test_no_dossier_reminder_before_the_dossier_opens():
    call = deadline_call(dossier_opens=paris(2030, 5, 10).date())
    preselected(call, dossier_status=DossierStatus.DRAFT)
    deadlines.remind_drafts(now=paris(2030, 5, 8, 9, 5))
    assert not reminders("dossier").exists()


# --- The dossier opens --------------------------------------------------------------------------

def opened():
    return OutgoingMail.objects.filter(cause="applications:dossier_opened")


def test_preselected_collectives_are_told_when_the_dossier_opens(eager_celery):
    call = deadline_call()
    early, early_admin = preselected(call)
    with_draft, draft_admin = preselected(call, dossier_status=DossierStatus.DRAFT)
    preselected(call, dossier_status=DossierStatus.WITHDRAWN)
    late, _ = preselected(call, decided_at=paris(2030, 3, 20, 10, 0))  # after the opening
    with time_machine.travel(paris(2030, 3, 15, 23, 55), tick=False):
        tasks.announce_openings.delay()
    assert not opened().exists()
    with time_machine.travel(paris(2030, 3, 16, 0, 2), tick=False):
        tasks.announce_openings.delay()
        tasks.announce_openings.delay()
    assert sorted(m.to[0] for m in opened()) == sorted([early_admin.email, draft_admin.email])
    mail = opened().get(to=[early_admin.email])
    assert f"/collectifs/{early.collective.pk}/dossier/" in mail.body_text
    assert "15 mai 2030 à 23 h 59, heure de Paris" in mail.body_text
    with time_machine.travel(paris(2030, 3, 25, 0, 2), tick=False):
        tasks.announce_openings.delay()
    assert opened().count() == 2
    assert late.collective.pk not in [int(k.rsplit(":", 1)[1]) for k in
                                      opened().values_list("dedup_key", flat=True)]


def test_nothing_about_the_dossier_while_the_preselection_mail_is_held():
    call = deadline_call()
    note, admin = preselected(call)
    held = OutgoingMail.objects.create(
        to=[admin.email], subject="Présélection", body_text="-",
        cause="applications:note_decision", dedup_key=f"note-decision-{note.pk}",
        status=OutgoingMail.Status.HELD)
    deadlines.announce_openings(now=paris(2030, 3, 16, 0, 2))
    deadlines.remind_drafts(now=paris(2030, 5, 8, 9, 5))
    assert not opened().exists() and not reminders("dossier").exists()
    held.status = OutgoingMail.Status.SENT  # approved by an officer, then sent
    held.save()
    deadlines.announce_openings(now=paris(2030, 3, 16, 0, 17))
    deadlines.remind_drafts(now=paris(2030, 5, 8, 10, 5))
    assert [m.to for m in opened()] == [[admin.email]]
    assert [m.to for m in reminders("dossier")] == [[admin.email]]


def test_no_opening_notice_once_the_filing_is_over():
    call = deadline_call()
    preselected(call)
    deadlines.announce_openings(now=paris(2030, 5, 16, 0, 2))
    assert not opened().exists()


# --- Twice, and twice at once ---------------------------------------------------------------------

def test_every_collective_job_run_twice_sends_nothing_twice(world, eager_celery):
    call = world[0]
    preselected(call)
    officers()
    for moment in [(2030, 3, 14, 9, 5), (2030, 3, 16, 9, 5)]:
        for _ in range(2):
            with time_machine.travel(paris(*moment), tick=False):
                tasks.close_windows.delay()
                tasks.announce_openings.delay()
                tasks.remind_drafts.delay()
    keys_sent = sorted(OutgoingMail.objects.values_list("dedup_key", flat=True))
    assert len(keys_sent) == len(set(keys_sent)) == 4
    assert [k.split(":")[0] for k in keys_sent] == [
        "dossier-opened", "reminder", "reminder", "window-closed"]


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_each_reminder_once():
    call = deadline_call()
    for _ in range(5):
        draft_note(call)
    preselected(call)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            now = paris(2030, 3, 14, 9, 5)
            deadlines.remind_drafts(now=now)
            deadlines.announce_openings(now=paris(2030, 3, 16, 0, 5))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert reminders().count() == 5
    assert opened().count() == 1
    keys_sent = list(OutgoingMail.objects.values_list("dedup_key", flat=True))
    assert len(keys_sent) == len(set(keys_sent))
