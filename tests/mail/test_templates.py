"""Every e-mail of the portal renders, in French, as a one-line subject, a plain-text body and
an HTML body in the portal's layout (email/base.html) saying the same thing; and the outbox
renders the HTML part whenever it exists, without hiding its errors."""

import os
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation

from applications.models import Dossier, OpportunityNote
from calls.models import Call
from connaissance.formatting import PARIS
from connaissance.mail.services import queue_templated_mail
from consortia.models import Collective, DirectoryMessage, Invitation, JoinRequest, Organisation
from laureates.models import LaunchEvent, Report

ROOT = Path(settings.BASE_DIR)
FILED = datetime(2023, 5, 15, 23, 58, 12, tzinfo=PARIS)
DEADLINE = datetime(2023, 5, 15, 23, 59, 59, tzinfo=PARIS)
SITE = settings.SITE_URL


SKIP = {".venv", ".git", "node_modules", "var", "static", "test-artifacts", "locale"}


def email_templates():
    """Every e-mail of the project: each `…/templates/…/email/<name>_subject.txt`, as
    {template prefix: the templates folder it is in}."""
    found = {}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIP]
        path = Path(folder)
        if path.name != "email" or "templates" not in path.parts:
            continue
        base = Path(*path.parts[:len(path.parts) - path.parts[::-1].index("templates")])
        for name in files:
            if name.endswith("_subject.txt"):
                prefix = (path / name[:-len("_subject.txt")]).relative_to(base).as_posix()
                found[prefix] = base
    return found


def prefixes():
    return sorted(email_templates())


def world():
    User = get_user_model()
    call = Call(pk=1, title="Connaissance Hauts-de-France 2023", contact_email="aap@example.org")
    lead = Organisation(pk=3, legal_name="Association Forêt-Numérique « Épi »",
                        kind="tiers_lieu")
    body = Organisation(pk=4, legal_name="Organisme de formation Côte d'Opale",
                        kind="training_body")
    collective = Collective(pk=7, name="Collectif Éducation & Territoires de l'Aisne",
                            call=call)
    note = OpportunityNote(
        pk=5, collective=collective, reference="AAP2023-N-0007", submitted_at=FILED,
        title="Tiers-lieu apprenant de Château-Thierry", requested_subsidy=Decimal("180000.50"),
        status="preselected", decision_message="Bravo !\nL'incubation commence lundi.")
    dossier = Dossier(pk=9, note=note, reference="AAP2023-D-0003", submitted_at=FILED,
                      requested_rate=Decimal("75.00"))
    lea = User(pk=11, first_name="Léa", last_name="Martin", email="lea.martin@example.org")
    invitation = Invitation(pk=13, email="contact@opale-formation.example",
                            declared_name=body.legal_name, declared_kind="training_body",
                            message="Nous serions ravis de vous compter parmi nous.",
                            expires_at=DEADLINE + timedelta(days=14))
    return SimpleNamespace(
        call=call, lead=lead, body=body, collective=collective, note=note, dossier=dossier,
        lea=lea, invitation=invitation,
        project=SimpleNamespace(title="Tiers-lieu apprenant de Château-Thierry"),
        figures={"eligible_base": Decimal("240000.00"), "requested_subsidy": Decimal("180000.00")},
        link=f"{SITE}/invitations/abc123/")


def contexts(name):
    """Realistic contexts of an e-mail, one per branch of its template."""
    w = world()
    filed = {"call": w.call, "collective": w.collective, "lead": w.lead}
    dossier = {**filed, "dossier": w.dossier, "project": w.project, "figures": w.figures}
    window = SimpleNamespace(code="note", kind="preselection",
                             label="filing of the opportunity notes")
    digest = SimpleNamespace(since=FILED - timedelta(days=1), notes=[w.note],
                             dossiers=[w.dossier],
                             waits={"undecided_notes": 4, "awaiting_admissibility": 2,
                                    "missing_evaluations": 3, "failed_letters": 0,
                                    "failed_mails": 1, "held_mails": 2})
    links = {key: f"{SITE}/admin/{key}/" for key in
             ["notes", "dossiers", "evaluations", "letters", "mails"]}
    rows = [{"reference": w.dossier.reference, "collective": w.collective.name,
             "declared": False, "link": f"{SITE}/evaluation/affectations/1/"}]
    reminder = {"deadline": DEADLINE, "time_left": timedelta(days=6, hours=14),
                "link": f"{SITE}/candidatures/7/"}
    return {
        "applications/email/note_receipt": [{**filed, "note": w.note}],
        "applications/email/note_filed_contact": [{**filed, "note": w.note}],
        "applications/email/note_decision": [
            {**filed, "note": w.note},
            {**filed, "note": OpportunityNote(
                pk=5, collective=w.collective, reference="AAP2023-N-0008",
                status="not_retained", decision_message="Le budget reste à consolider.")}],
        "applications/email/dossier_receipt": [
            dossier, {**dossier, "correction": SimpleNamespace(round=2)}],
        "applications/email/dossier_filed_contact": [
            dossier, {**dossier, "correction": SimpleNamespace(round=2)}],
        "applications/email/dossier_opened": [{**filed, **reminder}],
        "applications/email/draft_reminder": [
            {**filed, **reminder, "window": window},
            {**filed, **reminder, "window": SimpleNamespace(code="dossier")}],
        "applications/email/window_reopened": [
            {**filed, "window": window, "deadline": DEADLINE, "link": reminder["link"]},
            {**filed, "window": SimpleNamespace(code="dossier"), "deadline": DEADLINE,
             "link": reminder["link"]}],
        "applications/email/window_closed": [
            {**filed, "window": window, "deadline": DEADLINE, "locks": True,
             "counts": {"filed": 12, "expired": 3, "not_started": 1},
             "link": f"{SITE}/admin/applications/opportunitynote/"}],
        "consortia/email/directory_message": [{
            "message": DirectoryMessage(subject="Partenariat sur la fibre optique",
                                        body="Bonjour,\nÊtes-vous disponibles jeudi ?"),
            "sender": w.lea, "sender_organisation": w.body, "recipient": w.lead}],
        "consortia/email/join_request": [{
            "organisation": w.lead, "requester": w.lea,
            "join": JoinRequest(message="Je coordonne les ateliers numériques.")}],
        "consortia/email/join_request_decided": [
            {"organisation": w.lead, "approved": True},
            {"organisation": w.lead, "approved": False}],
        "consortia/email/member_invitation": [{
            "organisation": w.lead, "invitation": w.invitation, "inviter": w.lea,
            "link": w.link}],
        "consortia/email/partner_answered": [
            {"collective": w.collective, "organisation": w.body, "accepted": True},
            {"collective": w.collective, "organisation": None, "accepted": False,
             "declared_name": w.body.legal_name, "reason": "Calendrier incompatible."}],
        "consortia/email/partner_invitation": [{
            "collective": w.collective, "call": w.call, "invitation": w.invitation,
            "inviter": w.lea, "link": w.link}],
        "evaluation/email/decision_letter": [
            {"subject": "Appel à projets « Connaissance » : décision sur le dossier "
                        "AAP2023-D-0003", "dossier": w.dossier, "collective": w.collective,
             "call": w.call, "reference": "AAP2023-D-0003-L1", "sha256": "ab12" * 16,
             "previous": "AAP2023-D-0003-L0"}],
        "evaluation/email/evaluation_reminder": [{**reminder, "call": w.call, "rows": rows}],
        "evaluation/email/officer_digest": [
            {"digest": digest, "day": FILED.date(), "links": links}],
        **laureates_contexts(w),
    }.get(name, [])


def laureates_contexts(w):
    event = LaunchEvent(
        pk=2, call=w.call, title="Lancement des projets lauréats 2023",
        starts_at=datetime(2023, 6, 20, 9, 30, tzinfo=PARIS),
        ends_at=datetime(2023, 6, 20, 12, 30, tzinfo=PARIS), place="Hôtel de Région",
        address="151 avenue du Président Hoover, 59555 Lille",
        programme="9 h 30 : accueil\n10 h : présentation des projets lauréats")
    hybrid = LaunchEvent(pk=2, call=w.call, title=event.title, starts_at=event.starts_at,
                         ends_at=event.ends_at, place="Hôtel de Région",
                         online_url="https://visio.example.org/lancement",
                         programme="Présentation des projets")
    project = SimpleNamespace(title=w.project.title, collective=w.collective)
    invited = {"call": w.call, "project": project, "organisation": w.body,
               "link": f"{SITE}/collectifs/7/projet/lancement/"}
    followup = Report(pk=4, kind="launch_followup", number=1, due_on=date(2023, 9, 30),
                      status="submitted")
    final = Report(pk=5, kind="final", number=1, due_on=date(2026, 8, 31), status="accepted",
                   officer_message="Merci pour ce bilan complet.\nLe solde sera versé.")
    periodic = Report(pk=6, kind="periodic", number=2, due_on=None, status="submitted")
    returned = Report(pk=4, kind="launch_followup", number=1, due_on=date(2023, 9, 30),
                      status="draft", officer_message="Précisez le nombre d'apprenants.")
    about = {"call": w.call, "project": project,
             "link": f"{SITE}/collectifs/7/projet/rapports/4/"}
    due = {**about, "deadline": datetime(2023, 9, 30, 23, 59, 59, tzinfo=PARIS)}
    return {
        "laureates/email/launch_invitation": [{**invited, "event": event},
                                              {**invited, "event": hybrid}],
        "laureates/email/launch_updated": [{**invited, "event": event}],
        "laureates/email/report_reminder": [{**due, "report": followup, "days": 7}],
        "laureates/email/report_late": [{**due, "report": followup, "days": 0}],
        "laureates/email/report_filed": [
            {**about, "report": followup, "link": f"{SITE}/admin/laureates/report/4/change/"},
            {**about, "report": periodic, "link": f"{SITE}/admin/laureates/report/6/change/"}],
        "laureates/email/report_accepted": [{**about, "report": final},
                                            {**about, "report": followup}],
        "laureates/email/report_returned": [{**about, "report": returned}],
    }


CASES = [(name, index) for name in prefixes() for index in range(len(contexts(name)) or 1)]


class Balance(HTMLParser):
    """Every element opened is closed, in order (void elements aside)."""

    VOID = {"meta", "br", "img", "input", "hr", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()


def assert_no_leftover(text):
    for mark in ("{{", "}}", "{%", "%}", "None"):
        assert mark not in text, f"{mark!r} left in {text!r}"


def test_every_email_has_a_context_here_and_an_html_version():
    assert len(prefixes()) >= 17
    for name, base in email_templates().items():
        assert contexts(name), f"{name}: add a realistic context to this test"
        assert (base / f"{name}.txt").exists(), f"{name}.txt is missing"
        assert (base / f"{name}.html").exists(), f"{name}.html is missing"


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_an_email_renders_in_french_with_the_portal_layout(name, variant):
    context = {"SITE_URL": SITE, **contexts(name)[variant]}
    with translation.override("fr"):
        subject = render_to_string(f"{name}_subject.txt", context).strip()
        text = render_to_string(f"{name}.txt", context)
        html = render_to_string(f"{name}.html", context)
        header = f"{translation.gettext('Hauts-de-France Region')} — Connaissance"
    assert subject and "\n" not in subject and len(subject) <= 255
    assert_no_leftover(subject)
    assert text.strip() and html.strip()
    assert_no_leftover(text)
    assert_no_leftover(html)

    # The layout: a French document, the Region's header, the content, the portal link.
    assert html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert "Région Hauts-de-France — Connaissance" == header and header in html
    assert f'<a href="{SITE}/"' in html
    assert re.search(r'<td class="email-content"[^>]*>\s*<p>', html)
    checker = Balance()
    checker.feed(html)
    assert checker.errors == [] and checker.stack == []

    assert_same_content(text, html)


def flat(text):
    return re.sub(r"\s+", "", text)


def assert_same_content(text, html):
    """Each line of the plain text says the same in the HTML content: its words (spaces and
    markup aside; a bullet's dash aside), or, for a link, an anchor to it (whose label may
    replace the line introducing it)."""
    content = html.split('class="email-content"', 1)[1].split(">", 1)[1]
    content = content.split('class="email-footer"', 1)[0]
    words = flat(unescape(re.sub(r"<[^>]+>", "", content)))
    # The signature ("-- " and the portal) is the layout's footer; a bare "--" separates.
    lines = [line.strip() for line in text.split("-- \n")[0].splitlines()
             if line.strip() not in ("", "--")]
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if re.fullmatch(r"https?://\S+", line):
            assert f'href="{line}"' in content, line
        elif not (line.endswith(":") and following.startswith(("http://", "https://"))):
            assert flat(line.removeprefix("- ")) in words, line


# --- queue_templated_mail -------------------------------------------------------------------

@pytest.fixture
def mail_templates(settings, tmp_path):
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    (tmp_path / "essai").mkdir()

    def write(name, content):
        (tmp_path / "essai" / name).write_text(content, encoding="utf-8")

    write("avis_subject.txt", "Avis n° {{ n }}")
    write("avis.txt", "Bonjour, avis n° {{ n }}.")
    return write


def queue(**extra):
    return queue_templated_mail(to="porteur@example.org", template_prefix="essai/avis",
                                context={"n": 7}, cause="tests.templates", **extra)


@pytest.mark.django_db
def test_the_html_part_is_optional(mail_templates):
    row = queue()
    assert (row.subject, row.body_text, row.body_html) == ("Avis n° 7", "Bonjour, avis n° 7.", "")


@pytest.mark.django_db
def test_the_html_part_is_rendered_in_the_layout_with_the_portal_link(mail_templates):
    mail_templates("avis.html", '{% extends "email/base.html" %}{% block content %}'
                                "<p>Avis n° {{ n }}</p>{% endblock %}")
    row = queue(hold=True)
    assert "<p>Avis n° 7</p>" in row.body_html and f'<a href="{SITE}/"' in row.body_html
    assert row.status == "held"


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "error"), [
    ("{% if %}<p>{{ n }}</p>", TemplateSyntaxError),
    ('{% extends "email/nulle-part.html" %}', TemplateDoesNotExist),
    ('{% include "essai/absent.html" %}', TemplateDoesNotExist),
])
def test_an_error_in_an_existing_html_part_is_not_hidden(mail_templates, content, error):
    from connaissance.mail.models import OutgoingMail

    mail_templates("avis.html", content)
    with pytest.raises(error):
        queue()
    assert not OutgoingMail.objects.exists()
