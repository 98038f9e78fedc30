"""Consistency check of a call's calendar: warnings for the officer, nothing "fixed"."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from connaissance.formatting import long_date, to_paris

from .calendar import phases_of
from .models import PhaseKind

# Phases every call needs before it can be run.
REQUIRED = (PhaseKind.PUBLICATION, PhaseKind.PRESELECTION, PhaseKind.FILING)
# A phase longer than this is almost certainly a typo in a year.
LONGEST_PLAUSIBLE_DAYS = 400


@dataclass(frozen=True)
class CalendarWarning:
    code: str
    message: str
    kind: str = ""


def check_calendar(call, phases=None) -> list[CalendarWarning]:
    """Every inconsistency found in the call's calendar, in plain language."""
    phases = list(phases) if phases is not None else phases_of(call)
    by_kind = {p.kind: p for p in phases}
    warnings: list[CalendarWarning] = []

    def warn(code, message, kind=""):
        warnings.append(CalendarWarning(code=code, message=message, kind=kind))

    def name(p):
        return str(PhaseKind(p.kind).label)

    for kind in REQUIRED:
        if kind not in by_kind:
            warn("missing", _("The phase “%(phase)s” is missing.")
                 % {"phase": PhaseKind(kind).label}, kind)

    for p in phases:
        if p.starts_at and p.ends_at and p.ends_at < p.starts_at:
            warn("ends_before_start",
                 _("“%(phase)s” ends (%(end)s) before it starts (%(start)s).")
                 % {"phase": name(p), "end": long_date(p.ends_at),
                    "start": long_date(p.starts_at)}, p.kind)
        if p.starts_at and p.ends_at and (p.ends_at - p.starts_at).days > LONGEST_PLAUSIBLE_DAYS \
                and p.kind != PhaseKind.ELIGIBILITY_END:
            warn("too_long",
                 _("“%(phase)s” lasts %(days)d days (%(start)s → %(end)s): check the years.")
                 % {"phase": name(p), "days": (p.ends_at - p.starts_at).days,
                    "start": long_date(p.starts_at), "end": long_date(p.ends_at)}, p.kind)

    publication = by_kind.get(PhaseKind.PUBLICATION)
    if publication and publication.anchor:
        published = publication.anchor
        for p in phases:
            if p.kind != PhaseKind.PUBLICATION and p.anchor and p.anchor < published:
                warn("before_publication",
                     _("“%(phase)s” starts on %(date)s, before the call is published "
                       "(%(published)s).")
                     % {"phase": name(p), "date": long_date(p.anchor),
                        "published": long_date(published)}, p.kind)

    filing = by_kind.get(PhaseKind.FILING)
    selection = by_kind.get(PhaseKind.SELECTION)
    opening = by_kind.get(PhaseKind.DOSSIER_OPENING)
    preselection = by_kind.get(PhaseKind.PRESELECTION)
    eligibility = by_kind.get(PhaseKind.ELIGIBILITY_END)

    if filing and selection and filing.ends_at and selection.ends_at \
            and filing.ends_at > selection.ends_at:
        warn("filing_after_selection",
             _("Filing closes (%(filing)s) after the selection ends (%(selection)s).")
             % {"filing": long_date(filing.ends_at), "selection": long_date(selection.ends_at)},
             PhaseKind.FILING)
    if opening and filing and opening.anchor and filing.ends_at and opening.anchor > filing.ends_at:
        warn("opening_after_filing",
             _("The full dossier opens (%(opening)s) after filing closes (%(filing)s).")
             % {"opening": long_date(opening.anchor), "filing": long_date(filing.ends_at)},
             PhaseKind.DOSSIER_OPENING)
    if opening and preselection and opening.anchor and preselection.starts_at \
            and opening.anchor < preselection.starts_at:
        warn("opening_before_preselection",
             _("The full dossier opens (%(opening)s) before pre-selection starts (%(pre)s).")
             % {"opening": long_date(opening.anchor), "pre": long_date(preselection.starts_at)},
             PhaseKind.DOSSIER_OPENING)
    if selection and filing and selection.starts_at and filing.starts_at \
            and selection.starts_at < filing.starts_at:
        warn("selection_before_filing",
             _("Selection starts (%(selection)s) before filing opens (%(filing)s).")
             % {"selection": long_date(selection.starts_at), "filing": long_date(filing.starts_at)},
             PhaseKind.SELECTION)
    eligibility_day = call.eligibility_end
    if eligibility and eligibility.anchor and eligibility_day:
        if to_paris(eligibility.anchor).date() != eligibility_day:
            warn("eligibility_mismatch",
                 _("The end-of-eligibility phase (%(phase)s) differs from the call's end of "
                   "eligibility (%(call)s).")
                 % {"phase": long_date(eligibility.anchor), "call": long_date(eligibility_day)},
                 PhaseKind.ELIGIBILITY_END)
    if eligibility_day:
        for p in phases:
            if p.kind != PhaseKind.ELIGIBILITY_END and p.anchor \
                    and to_paris(p.anchor).date() > eligibility_day:
                warn("after_eligibility",
                     _("“%(phase)s” is placed after the end of eligibility (%(date)s).")
                     % {"phase": name(p), "date": long_date(eligibility_day)}, p.kind)
    return warnings
