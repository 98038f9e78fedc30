"""A periodic job end to end through a real Celery worker against Redis: the closing job, sent
twice, expires the drafts of a window closed yesterday once, records its runs, and the
officers' summary is written once and delivered by the worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications import tasks
from applications.models import NoteStatus, OpportunityNote
from calls.calendar import end_of_day, start_of_day
from calls.models import PhaseKind
from connaissance.formatting import to_paris
from connaissance.mail.models import OutgoingMail
from connaissance.ops.models import JobOutcome, JobRun
from tests.applications.deadline_builders import draft_note, filed_note, officers
from tests.core.test_worker import redis_broker, wait_until, worker  # noqa: F401
from tests.factories import CallFactory, PhaseFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_closing_job_runs_in_a_real_worker_once(worker):  # noqa: F811
    today = to_paris(timezone.now()).date()
    call = CallFactory(calendar=False)
    PhaseFactory(call=call, kind=PhaseKind.PRESELECTION,
                 starts_at=start_of_day(today - timedelta(days=30)),
                 ends_at=end_of_day(today - timedelta(days=1)))
    officers()
    drafts = [draft_note(call)[0] for _ in range(3)]
    filed_note(call)

    tasks.close_windows.delay()
    tasks.close_windows.delay()

    def done():
        return JobRun.objects.filter(name="applications.tasks.close_windows",
                                     outcome=JobOutcome.OK).count() == 2

    assert wait_until(done, timeout=30), list(JobRun.objects.values())
    assert list(OpportunityNote.objects.filter(pk__in=[d.pk for d in drafts])
                .values_list("status", flat=True)) == [NoteStatus.EXPIRED] * 3
    runs = JobRun.objects.filter(name="applications.tasks.close_windows").order_by("started_at")
    assert [r.summary for r in runs] == [{"expired": 3, "summaries": 1},
                                         {"expired": 0, "summaries": 0}]
    summary = OutgoingMail.objects.get(cause="applications:closing",
                                       dedup_key__startswith=f"window-closed:{call.pk}:")
    assert wait_until(lambda: OutgoingMail.objects.get(pk=summary.pk).status
                      == OutgoingMail.Status.SENT, timeout=30)
    names = [name for name, *_ in worker.finished]
    assert names.count("applications.tasks.close_windows") == 2
    assert "connaissance.mail.tasks.deliver_mail" in names
