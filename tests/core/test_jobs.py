"""Operations of the periodic jobs: each run is recorded (JobRun), failures too; the tasks are
acknowledged late and retried with backoff on transient errors; the beat schedule is listed in
words in the admin with each job's last run (officers only); /sante/ says when beat is stale."""

import smtplib
from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone, translation

from applications import tasks as application_tasks
from applications.services import deadlines
from connaissance.ops import services
from connaissance.ops.jobs import recorded_run
from connaissance.ops.models import JobOutcome, JobRun
from connaissance.ops.schedule import describe, scheduled_jobs
from evaluation import tasks as evaluation_tasks
from laureates import tasks as laureate_tasks
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db

PERIODIC = [application_tasks.close_windows, application_tasks.reopen_windows,
            application_tasks.announce_openings,
            application_tasks.remind_drafts, evaluation_tasks.remind_evaluators,
            evaluation_tasks.send_officers_digest, laureate_tasks.remind_reports]
SCHEDULE_URL = "/admin/ops/jobrun/schedule/"


# --- JobRun ---------------------------------------------------------------------------------------

def test_a_run_is_recorded_with_its_summary():
    with recorded_run("tests.job") as run:
        assert JobRun.objects.get(pk=run.pk).outcome == JobOutcome.RUNNING
        run.summary = {"sent": 3}
    run.refresh_from_db()
    assert (run.outcome, run.summary, run.error) == (JobOutcome.OK, {"sent": 3}, "")
    assert run.finished_at >= run.started_at and run.duration is not None


def test_a_failed_run_is_recorded_and_the_error_raised():
    with pytest.raises(ValueError), recorded_run("tests.job"):
        raise ValueError("calendrier illisible")
    run = JobRun.objects.get(name="tests.job")
    assert run.outcome == JobOutcome.FAILED
    assert run.error == "ValueError: calendrier illisible"


def test_a_run_left_running_by_a_killed_worker_is_marked_interrupted_by_a_later_one():
    now = timezone.now()
    killed = JobRun.objects.create(name="tests.job", started_at=now - timedelta(hours=2))
    recent = JobRun.objects.create(name="tests.job", started_at=now - timedelta(minutes=10))
    other_job = JobRun.objects.create(name="tests.other", started_at=now - timedelta(hours=2))
    with translation.override("en"), recorded_run("tests.job"):
        pass
    killed.refresh_from_db()
    assert killed.outcome == JobOutcome.FAILED and killed.error.startswith("Interrupted")
    # A run that may still be working, and other jobs' runs, are left as they are.
    assert JobRun.objects.get(pk=recent.pk).outcome == JobOutcome.RUNNING
    assert JobRun.objects.get(pk=other_job.pk).outcome == JobOutcome.RUNNING


def test_old_runs_are_pruned():
    old = JobRun.objects.create(name="tests.job", outcome=JobOutcome.OK,
                                started_at=timezone.now() - timedelta(days=31))
    other = JobRun.objects.create(name="tests.other", outcome=JobOutcome.OK,
                                  started_at=timezone.now() - timedelta(days=31))
    with recorded_run("tests.job"):
        pass
    assert not JobRun.objects.filter(pk=old.pk).exists()
    assert JobRun.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("task", PERIODIC, ids=lambda t: t.name)
def test_periodic_tasks_are_acked_late_and_retried_on_transient_errors(task):
    assert task.acks_late is True
    assert {OSError, smtplib.SMTPException} <= set(task.autoretry_for)
    assert task.retry_backoff and task.max_retries >= 3
    # Beat starts every one of them.
    assert task.name in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}


def test_a_transient_failure_is_recorded_then_retried(monkeypatch):
    calls = []

    def flaky(*, now):
        calls.append(now)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("relais injoignable")
        return {"expired": 0, "summaries": 0}

    monkeypatch.setattr(deadlines, "close_windows", flaky)
    # Run in this thread as a worker would: the retry runs again at once (no countdown here).
    result = application_tasks.close_windows.apply(throw=False)
    assert result.successful()
    assert len(calls) == 2
    runs = list(JobRun.objects.filter(name="applications.tasks.close_windows")
                .order_by("started_at", "pk"))
    assert [r.outcome for r in runs] == [JobOutcome.FAILED, JobOutcome.OK]
    assert "SMTPServerDisconnected" in runs[0].error


def test_a_bug_is_recorded_and_not_retried(monkeypatch, eager_celery):
    def broken(*, now):
        raise KeyError("phase")

    monkeypatch.setattr(deadlines, "remind_drafts", broken)
    with pytest.raises(KeyError):
        application_tasks.remind_drafts.delay()
    [run] = JobRun.objects.filter(name="applications.tasks.remind_drafts")
    assert run.outcome == JobOutcome.FAILED and "KeyError" in run.error


# --- The schedule, in words -----------------------------------------------------------------------

@pytest.mark.parametrize("when, words", [
    (30.0, "every 30 seconds"),
    (120.0, "every 2 minutes"),
    (3600, "every hour"),
    (timedelta(days=1), "every day"),
    (crontab(minute="*/5"), "every 5 minutes"),
    (crontab(minute=5), "every hour, at minute 05"),
    (crontab(minute=0, hour=7), "every day at 07:00"),
    (crontab(minute=30, hour=6, day_of_week=1), "every Monday at 06:30"),
    (crontab(minute=0, hour=7, day_of_month=1), "cron « 0 7 1 * * » (minute hour day month "
                                                "weekday)"),
])
def test_schedules_in_words(when, words):
    with translation.override("en"):
        assert describe(when) == words


def test_every_beat_entry_is_listed_with_its_last_run():
    JobRun.objects.create(name="applications.tasks.close_windows", outcome=JobOutcome.OK,
                          started_at=timezone.now() - timedelta(minutes=9))
    latest = JobRun.objects.create(name="applications.tasks.close_windows",
                                   outcome=JobOutcome.FAILED, error="OSError: disque",
                                   started_at=timezone.now() - timedelta(minutes=4))
    with translation.override("en"):
        jobs = {job.key: job for job in scheduled_jobs()}
    assert set(jobs) == set(settings.CELERY_BEAT_SCHEDULE)
    assert jobs["applications-close-windows"].last_run == latest
    assert jobs["applications-close-windows"].when == "every 5 minutes"
    assert jobs["evaluation-officers-digest"].when == "every day at 07:00"
    assert jobs["evaluation-officers-digest"].last_run is None


def test_the_schedule_page_for_officers(client):
    JobRun.objects.create(name="evaluation.tasks.send_officers_digest", outcome=JobOutcome.OK,
                          started_at=timezone.now(), finished_at=timezone.now(),
                          summary={"sent": 1})
    client.force_login(officer())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(SCHEDULE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for key in settings.CELERY_BEAT_SCHEDULE:
        assert f'data-entry="{key}"' in html
    assert "every day at 07:00" in html and "Europe/Paris" in html
    assert 'data-entry="evaluation-officers-digest" data-outcome="ok"' in html
    assert "sent: 1" in html
    assert 'id="beat-status" data-ok="false"' in html and "STALE" in html
    runs = client.get("/admin/ops/jobrun/").content.decode()
    assert SCHEDULE_URL in runs


@pytest.mark.parametrize("roles", [["evaluator"], ["tiers_lieux_staff"], []])
def test_the_schedule_page_is_refused_to_other_staff(client, roles):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(roles=roles, is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    assert client.get(SCHEDULE_URL).status_code == 403
    assert client.get("/admin/ops/jobrun/").status_code == 403


def test_the_schedule_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(SCHEDULE_URL)
    assert response.status_code == 302 and "login" in response["Location"]


# --- /sante/ says when beat is stale --------------------------------------------------------------

def test_health_says_in_words_that_beat_never_ticked(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = client.get("/sante/", secure=True).json()
    assert report["beat"]["stale"] is True and report["ok"] is False
    assert report["beat"]["message"] == (
        "STALE: the scheduler (Celery beat) has never ticked. Phase closings, reminders and "
        "digests are not running.")


def test_health_says_in_words_that_beat_is_stale(client, settings):
    settings.BEAT_STALE_AFTER_SECONDS = 300
    services.record_tick(at=timezone.now() - timedelta(seconds=900))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/sante/", secure=True)
    assert response.status_code == 200  # the web node itself is fine
    beat = response.json()["beat"]
    assert beat["stale"] is True
    assert beat["message"].startswith("STALE: the scheduler (Celery beat) last ticked 900 ")
    assert "(limit: 300 seconds)" in beat["message"]
    services.record_tick()
    beat = client.get("/sante/", secure=True).json()["beat"]
    assert beat["ok"] is True and "STALE" not in beat["message"]
