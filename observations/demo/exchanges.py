"""Demo data exchanges of 2020 made outside the app, recorded by hand (the report's four:
bee and hoverfly data sent to SAPOLL; the terril data received from ONF and Eden 62, whose
records the demo holds in their partner datasets), so that the exchange log and the
dashboard count them."""

import datetime as dt

from observations.models import DataExchange
from referentiel.demo.organisations import CPIE_CDT
from referentiel.models import Organisation, User

# (partner short name, date, direction, content, fauna, flora, species)
EXCHANGES_2020 = (
    (
        "SAPOLL",
        dt.date(2020, 11, 16),
        DataExchange.Direction.SENT,
        "Abeilles et syrphes (plan régional pollinisateurs SAPOLL)",
        3152,
        0,
        200,
    ),
    (
        "ONF",
        dt.date(2020, 3, 9),
        DataExchange.Direction.RECEIVED,
        "Faune et flore des terrils 171, 174, 175-175a, 176, 177 et 178",
        1814,
        341,
        None,
    ),
    (
        "Eden 62",
        dt.date(2020, 2, 21),
        DataExchange.Direction.RECEIVED,
        "Lézard des murailles sur les terrils",
        226,
        0,
        1,
    ),
    (
        "Eden 62",
        dt.date(2020, 2, 21),
        DataExchange.Direction.RECEIVED,
        "Faune et flore des terrils classés espaces naturels sensibles",
        10195,
        1165,
        None,
    ),
)


def exchanges_demo_load() -> str:
    """Record the report's 2020 exchanges once (by partner, date and content)."""
    cpie = Organisation.objects.filter(name=CPIE_CDT).first()
    partners = {
        o.short_name: o
        for o in Organisation.objects.filter(
            short_name__in={row[0] for row in EXCHANGES_2020}
        )
    }
    user = User.objects.filter(username="coordinateur").first()
    if cpie is None or len(partners) < len({row[0] for row in EXCHANGES_2020}):
        return "Échanges : organismes absents, démonstration sautée."
    created = 0
    for partner, date, direction, content, fauna, flora, species in EXCHANGES_2020:
        _exchange, new = DataExchange.objects.get_or_create(
            organisation=cpie,
            partner=partners[partner],
            date=date,
            content=content,
            defaults={
                "direction": direction,
                "fauna_rows": fauna,
                "flora_rows": flora,
                "species": species,
                "created_by": user,
            },
        )
        created += new
    return f"Échanges : {created} échanges hors application saisis à la main créés."
