"""Which territories of a call open the low-training-supply bonus."""


def low_supply_match(call, *, epcis=(), communes=()) -> list:
    """The flagged territories among the given EPCI and communes (a commune counts when it or
    its EPCI is flagged)."""
    flagged = list(call.low_supply_territories.select_related("epci", "commune"))
    epci_ids = {e.pk for e in epcis} | {c.epci_id for c in communes if c.epci_id}
    commune_ids = {c.pk for c in communes}
    return [t for t in flagged
            if (t.epci_id and t.epci_id in epci_ids)
            or (t.commune_id and t.commune_id in commune_ids)]
