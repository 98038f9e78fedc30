"""The outbox in the admin: Region officers list, filter and search the mails, read both
bodies and the attachments, approve held mails and send mails again after a confirmation;
nobody else sees it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from tests.core.factories_core import OutgoingMailFactory, minimal_pdf, stored_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = OutgoingMail.Status
MAILS = "/admin/mail/outgoingmail/"


def listed(client, **params):
    response = client.get(MAILS, params)
    assert response.status_code == 200
    return {mail.pk for mail in response.context["cl"].result_list}


def flash(response):
    return [str(m) for m in response.context["messages"]]


def staff(role=None, perms=()):
    user = UserFactory(roles=[role] if role else [], is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


# --- the list -------------------------------------------------------------------------------

def test_the_list_shows_status_cause_dates_and_attempts(client, agent):
    held = OutgoingMailFactory(status=Status.HELD, cause="applications:note_decision",
                               to=["cheffe@example.org"])
    failed = OutgoingMailFactory(status=Status.FAILED, attempts=5, cause="consortia:invitation")
    response = client.get(MAILS)
    html = response.content.decode()
    assert "cheffe@example.org" in html and held.subject in html and failed.subject in html
    assert "applications:note_decision" in html and "consortia:invitation" in html
    rows = {m.pk: m for m in response.context["cl"].result_list}
    assert (rows[held.pk].status, rows[failed.pk].attempts) == (Status.HELD, 5)
    assert [f.field_path for f in response.context["cl"].filter_specs] == ["status", "cause"]


def test_filters_and_search(client, agent):
    held = OutgoingMailFactory(status=Status.HELD, cause="evaluation:decision_letter",
                               subject="Lettre de décision", to=["lea.martin@example.org"])
    sent = OutgoingMailFactory(status=Status.SENT, cause="applications:note_receipt",
                               subject="Accusé de réception de votre note")
    assert listed(client, status__exact="held") == {held.pk}
    assert listed(client, cause="applications:note_receipt") == {sent.pk}
    assert listed(client, q="lea.martin") == {held.pk}  # by recipient
    assert listed(client, q="accusé de réception") == {sent.pk}  # by subject


def test_the_list_costs_the_same_queries_for_one_mail_or_many(client, agent):
    OutgoingMailFactory(status=Status.SENT)
    client.get(MAILS)  # warm the caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(MAILS).context["cl"].result_list) == 1
    OutgoingMailFactory.create_batch(6, status=Status.HELD, cause="a")
    OutgoingMailFactory.create_batch(6, status=Status.FAILED, attempts=5, cause="b")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(MAILS).context["cl"].result_list) == 13
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


# --- one mail -------------------------------------------------------------------------------

def test_the_mail_reads_with_both_bodies_and_its_attachments(client, agent):
    receipt = stored_file(content=minimal_pdf("Accusé de réception"), name="N-2023-0001.pdf")
    mail = OutgoingMailFactory(
        body_text="Bonjour,\nVotre note est déposée.\n",
        body_html="<p>Bonjour,</p><script>alert(1)</script>",
        attachment_ids=[str(receipt.pk)], status=Status.SENT)
    response = client.get(reverse("admin:mail_outgoingmail_change", args=[mail.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bonjour,<br>Votre note est déposée." in html
    assert "&lt;p&gt;Bonjour,&lt;/p&gt;&lt;script&gt;" in html  # the source, escaped
    assert "<script>alert(1)</script>" not in html
    preview = reverse("admin:mail_outgoingmail_html", args=[mail.pk])
    assert preview in html
    assert "N-2023-0001.pdf" in html and reverse("files:download", args=[receipt.pk]) in html
    assert receipt.sha256[:16] in html
    assert 'name="_save"' not in html  # read only

    shown = client.get(preview)
    assert shown.status_code == 200 and shown.content.decode() == mail.body_html
    policy = shown["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy
    assert "default-src 'none'" in policy


# --- actions, confirmed first ---------------------------------------------------------------

def test_approve_and_send_asks_first_then_sends(client, agent, eager_celery,
                                                 django_capture_on_commit_callbacks):
    held = OutgoingMailFactory(status=Status.HELD, to=["porteur@example.org"])
    sent = OutgoingMailFactory(status=Status.SENT)
    ids = [held.pk, sent.pk]
    asked = client.post(MAILS, {"action": "approve", "index": 0, "_selected_action": ids})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert held.subject in page and sent.subject in page and 'name="confirm"' in page
    held.refresh_from_db()
    assert held.status == Status.HELD  # nothing happened yet

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(MAILS, {"action": "approve", "confirm": "yes",
                                   "_selected_action": ids}, follow=True)
    held.refresh_from_db()
    assert held.status == Status.SENT and held.approved_by == agent
    assert [m.to for m in django_mail.outbox] == [["porteur@example.org"]]
    assert len(flash(done)) == 2  # one approved, one left as it was
    assert AuditEvent.objects.filter(action="mail.approve", actor=agent).count() == 1


def test_send_again_asks_first_then_requeues_or_copies(client, agent, eager_celery,
                                                       django_capture_on_commit_callbacks):
    failed = OutgoingMailFactory(status=Status.FAILED, attempts=5, last_error="SMTPError: x")
    sent = OutgoingMailFactory(status=Status.SENT, attempts=1)
    ids = [failed.pk, sent.pk]
    asked = client.post(MAILS, {"action": "resend", "index": 0, "_selected_action": ids})
    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    assert OutgoingMail.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(MAILS, {"action": "resend", "confirm": "yes", "_selected_action": ids})
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    copy = OutgoingMail.objects.get(resend_of=sent)
    assert copy.status == Status.SENT and copy.cause.startswith(f"resend of #{sent.pk} ")
    assert len(django_mail.outbox) == 2


# --- only officers --------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["tiers-lieux staff", "evaluator", "staff with the model perms"])
def test_nobody_but_officers_reaches_the_outbox(client, who):
    user = {"tiers-lieux staff": lambda: staff("tiers_lieux_staff"),
            "evaluator": lambda: staff("evaluator"),
            "staff with the model perms": lambda: staff(
                perms=["view_outgoingmail", "change_outgoingmail"])}[who]()
    client.force_login(user)
    held = OutgoingMailFactory(status=Status.HELD)
    for url in (MAILS, reverse("admin:mail_outgoingmail_change", args=[held.pk]),
                reverse("admin:mail_outgoingmail_html", args=[held.pk])):
        assert client.get(url).status_code == 403, url
    for data in ({"action": "approve", "index": 0, "_selected_action": [held.pk]},
                 {"action": "approve", "confirm": "yes", "_selected_action": [held.pk]},
                 {"action": "resend", "confirm": "yes", "_selected_action": [held.pk]}):
        assert client.post(MAILS, data).status_code == 403
    held.refresh_from_db()
    assert held.status == Status.HELD and OutgoingMail.objects.count() == 1
    index = client.get("/admin/")
    assert index.status_code == 200 and MAILS not in index.content.decode()


def test_an_officer_finds_the_outbox_on_the_admin_index(client, agent):
    assert MAILS in client.get("/admin/").content.decode()
