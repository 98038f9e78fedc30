"""The reports' tests: report values, and helpers saving and filing them as the collective."""

from datetime import date, datetime

from connaissance.formatting import PARIS
from laureates.models import Report, ReportKind, ReportStatus
from laureates.services import (
    save_report,
    submit_report,
)

K, S = ReportKind, ReportStatus


FOLLOWUP_END = date(2027, 9, 30)


FOLLOWUP = {"team_in_place": "yes", "team_details": "Deux animateurs, une coordinatrice.",
            "sessions_held": "3", "first_session_on": date(2024, 10, 7),
            "learners_reached": "42", "difficulties": ""}


PERIODIC = {"activities": "Ateliers hebdomadaires.", "sessions_held": "12",
            "learners_reached": "1 050", "expenses_to_date": "1 234,50",
            "next_steps": " Ouvrir un second site. "}


FINAL = {"activities": "Trois ans d'ateliers.", "results": "Objectifs atteints à 90 %.",
         "sessions_held": "120", "learners_reached": "310",
         "expenses_to_date": "198 500,00"}


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def report(project, kind, number=1):
    return Report.objects.get(project=project, kind=kind, number=number)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def saved(world, kind, values, number=1):
    """The report of `kind` saved by the collective's member with `values`."""
    current = report(world.project, kind, number)
    return save_report(user=world.member, report=current, values=values,
                       version=current.version)


def filed(world, kind, values, number=1, **kwargs):
    draft = saved(world, kind, values, number)
    return submit_report(user=world.member, report=draft, version=draft.version, **kwargs)
