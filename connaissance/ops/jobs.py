"""Periodic jobs: each run is recorded (JobRun), in the portal's language, and the errors worth
a retry are named once.

A task body is a service call wrapped by `periodic_job`:

    @shared_task(bind=True, **JOB_OPTIONS)
    @periodic_job
    def close_windows(self):
        return deadlines.close_windows(now=timezone.now())   # a dict of counts

The run is written (and committed) when the job starts, then completed with its outcome, so a
run that never ends (a killed worker) is visible as « running », until a later run of the same
job finishes: a run still « running » an hour before that is then marked failed, interrupted.
"""

import functools
import smtplib
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import JobOutcome, JobRun

# Failures that a later attempt may not meet: network, disk, SMTP, a dropped database
# connection or a deadlock. Anything else is a bug: recorded and raised, not retried.
TRANSIENT = (OSError, smtplib.SMTPException, OperationalError)

# Celery options shared by the periodic tasks: acknowledged once done (a worker killed in the
# middle gives the task back to the broker; the jobs are idempotent), retried with backoff.
JOB_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
}

KEEP_RUNS = timedelta(days=30)
# No job runs this long: a run still « running » after it was interrupted (worker killed).
INTERRUPTED_AFTER = timedelta(hours=1)


@contextmanager
def recorded_run(name):
    """Record one run of the job `name`; the body may set `run.summary` (a dict of counts)."""
    with transaction.atomic():
        run = JobRun.objects.create(name=name, started_at=timezone.now())
    try:
        yield run
    except BaseException as exc:
        _finish(run, JobOutcome.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(run, JobOutcome.OK)


def _finish(run, outcome, *, error=""):
    run.finished_at = timezone.now()
    run.outcome, run.error = outcome, error
    with transaction.atomic():
        run.save(update_fields=["finished_at", "outcome", "summary", "error"])
        JobRun.objects.filter(name=run.name, started_at__lt=run.finished_at - KEEP_RUNS).delete()
        JobRun.objects.filter(
            name=run.name, outcome=JobOutcome.RUNNING,
            started_at__lt=run.started_at - INTERRUPTED_AFTER,
        ).update(outcome=JobOutcome.FAILED,
                 error=_("Interrupted: the worker stopped during this run (a later run "
                         "has finished since)."))


def periodic_job(func):
    """Decorate a bound task's body: record its run under the task's name, in the portal's
    language (e-mails are written in French whatever ran before in the worker)."""

    @functools.wraps(func)
    def wrapper(task, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE), recorded_run(task.name) as run:
            summary = func(task, *args, **kwargs) or {}
            run.summary = summary
            return summary

    return wrapper


def last_runs(names):
    """{name: latest JobRun} for the given job names (those that ran at least once)."""
    latest = {}
    for name in dict.fromkeys(names):  # a handful of jobs: one indexed query each
        run = JobRun.objects.filter(name=name).order_by("-started_at", "-pk").first()
        if run is not None:
            latest[name] = run
    return latest


def last_success(name):
    return (JobRun.objects.filter(name=name, outcome=JobOutcome.OK)
            .order_by("-started_at", "-pk").first())
