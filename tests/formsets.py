"""Posting Django formsets (admin inlines, the budget grid) from tests."""


def management(prefix, *, total, initial=0, maximum=1000):
    """The management form of the formset `prefix` holding `total` forms, `initial` of them
    bound to existing rows."""
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": str(maximum)}


def forms(prefix, lines):
    """The fields of each form, in order: `lines` are dicts of field name to value."""
    return {f"{prefix}-{index}-{name}": value
            for index, line in enumerate(lines) for name, value in line.items()}
