"""The demo call: the 2023 call's structure, its phases placed around today."""

from datetime import timedelta

from django.utils import timezone

from connaissance.formatting import to_paris

from . import services
from .calendar import end_of_day, start_of_day
from .models import Call, PhaseKind

DEMO_SLUG = "connaissance-demonstration"


def demo_phases(today):
    d = lambda days: today + timedelta(days=days)  # noqa: E731
    month = lambda day: day.strftime("%m/%Y")  # noqa: E731
    return [
        dict(kind=PhaseKind.PUBLICATION, starts_at=start_of_day(d(-21))),
        dict(kind=PhaseKind.PRESELECTION, starts_at=start_of_day(d(-20)),
             ends_at=end_of_day(d(14)),
             note="Note d’opportunité, Team Canvas et Business Model Canvas."),
        dict(kind=PhaseKind.INCUBATION, starts_at=start_of_day(d(-20)), ends_at=end_of_day(d(60))),
        dict(kind=PhaseKind.DOSSIER_OPENING, starts_at=start_of_day(d(-7))),
        dict(kind=PhaseKind.FILING, starts_at=start_of_day(d(-20)), ends_at=end_of_day(d(45))),
        dict(kind=PhaseKind.SELECTION, starts_at=start_of_day(d(-3)), ends_at=end_of_day(d(75))),
        dict(kind=PhaseKind.LAUNCH_EVENT, starts_at=start_of_day(d(90)), ends_at=end_of_day(d(100)),
             date_label=month(d(90))),
        dict(kind=PhaseKind.LAUNCH_FOLLOWUP, starts_at=start_of_day(d(180)),
             ends_at=end_of_day(d(200)), date_label=month(d(180))),
        dict(kind=PhaseKind.ELIGIBILITY_END, ends_at=end_of_day(d(3 * 365))),
    ]


def create_demo_call(*, actor=None):
    """Create the demo call from the 2023 call, with today's calendar; on later runs only the
    calendar moves (collectives already formed for it are kept)."""
    today = to_paris(timezone.now()).date()
    existing = Call.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        existing.phases.all().delete()
        for fields in demo_phases(today):
            existing.phases.create(**fields)
        existing.eligibility_end = today + timedelta(days=3 * 365)
        existing.save(update_fields=["eligibility_end"])
        return existing
    source = Call.objects.get(slug="connaissance-hauts-de-france-2023")
    fields = {f.name: getattr(source, f.name) for f in Call._meta.concrete_fields
              if f.name not in {"id", "slug", "title", "reference_prefix", "created_at",
                                "updated_at", "eligibility_end", "summary", "status"}}
    call = services.create_call(
        actor=actor, slug=DEMO_SLUG, title="Connaissance Hauts-de-France — appel de démonstration",
        reference_prefix=f"DEMO-{today.year}",
        summary="Appel de démonstration : même structure que l’appel 2023, avec un calendrier "
                "placé autour d’aujourd’hui pour parcourir tout le parcours.",
        eligibility_end=today + timedelta(days=3 * 365), status="draft",
        phases=demo_phases(today),
        axes=[(a.title, a.description) for a in source.axes.all()],
        programmes=[(p.name, p.description) for p in source.programmes.all()],
        documents=[(d.label, d.description, d.mandatory) for d in source.required_documents.all()],
        **fields,
    )
    services.publish(call=call, actor=actor, reason="Démonstration")
    return call
