"""Template filters of the portal: French money, dates in Paris time, sanitised rich text."""

from django import template
from django.utils.safestring import mark_safe

from connaissance import formatting
from connaissance.richtext import sanitize

register = template.Library()

@register.filter
def rich_text(value):
    return mark_safe(sanitize(value))  # noqa: S308 - sanitised by nh3 just above


@register.filter
def money(value):
    return formatting.money(value)


@register.filter
def money_round(value):
    return formatting.money(value, cents=False)


@register.filter
def percent(value):
    return formatting.percent(value)


@register.filter
def long_date(value):
    return formatting.long_date(value) if value else ""


@register.filter
def paris_time(value):
    return formatting.paris_time(value) if value else ""


@register.filter
def long_datetime(value):
    return formatting.long_datetime(value) if value else ""


@register.filter
def duration_left(value):
    return formatting.duration_left(value)


@register.filter
def deadline_text(value):
    """« 15 mai 2023 à 23 h 59, heure de Paris » (a date means the whole day)."""
    return formatting.deadline_text(value) if value else ""
