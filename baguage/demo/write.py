"""Idempotent writes of the ringing demo: referential rows by their natural keys, then the
captures that are missing, with their occurrences written in bulk.

A capture entered at the session page goes through ``baguage.services.capture_save``, which
publishes one occurrence per capture. Thousands of captures one by one would take minutes,
so the demo writes the same rows in bulk: the occurrence fields come from the service's own
``capture_occurrence_fields`` (source "baguage", the session's ringers as observers), the rows are
copied with ``observations.demo.write.occurrences_copy`` (creation history, derived fields),
then the captures are created pointing to them.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q

from baguage.models import (
    FRANCE_SCHEME,
    Capture,
    EuringSpecies,
    NetPosition,
    Ringer,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from baguage.services import capture_occurrence_fields
from observations.demo.write import occurrences_copy
from observations.models import Source
from observations.services import people_label
from referentiel.demo.organisations import CPIE_CDT
from referentiel.demo.programmes import dataset_uuid
from referentiel.demo.upsert import set_m2m, upsert
from referentiel.models import (
    Dataset,
    Organisation,
    Person,
    Programme,
    Site,
    Taxon,
    User,
)

from . import specs
from .build import KEY_PREFIX, DemoPlan, series_plan

CRBPO = "Centre de recherches sur la biologie des populations d'oiseaux"
ENTRY_USER = "saisie"
WEATHER = (
    ("Ciel dégagé", "Calme"),
    ("Nuageux", "Faible, NE"),
    ("Couvert, sec", "Faible, O"),
    ("Brume matinale puis soleil", "Calme"),
    ("Voilé", "Modéré, SO"),
)
LEAD_RINGER = {
    "STOC-CAPTURE": "Hugo Lambert",
    "PHENO": "Hugo Lambert",
    "VOIE-BRUANT": "Sandrine Vasseur",
    "VOIE-HIRONDELLE-RIVAGE": "Sandrine Vasseur",
    "VOIE-HIRONDELLE-RUSTIQUE": "Sandrine Vasseur",
    "SPOL": "Sandrine Vasseur",
}


def _people() -> dict[str, Person]:
    return {
        f"{p.first_name} {p.last_name}": p
        for p in Person.objects.select_related("organisation", "user")
    }


def peregrine_programme_ensure() -> None:
    """The CPIE's personal programme of colour-ringing the peregrine falcon, and its
    dataset (idempotent)."""
    cpie = Organisation.objects.filter(name=CPIE_CDT).first()
    if cpie is None:
        return
    programme, _ = upsert(
        Programme,
        lookup={"code": specs.PEREGRINE},
        values={
            "name": specs.PEREGRINE_NAME,
            "level": Programme.Level.LOCAL,
            "coordinator": cpie,
            "description": "Programme personnel CRBPO : baguage couleur d'un jeune "
            "Faucon pèlerin né sur les terrils du 11/19.",
        },
    )
    crbpo = Organisation.objects.filter(name=CRBPO).first()
    if crbpo is not None:
        set_m2m(programme.partners, [crbpo])
    title = f"{specs.PEREGRINE_NAME} – {CPIE_CDT}"
    upsert(
        Dataset,
        lookup={"uuid": dataset_uuid(title)},
        values={
            "title": title,
            "short_title": specs.PEREGRINE,
            "programme": programme,
            "producer": cpie,
            "is_public": False,
            "licence": Dataset.Licence.RESTRICTED,
        },
    )


def ringers_upsert(people: dict[str, Person]) -> dict[str, Ringer]:
    ringers = {}
    for spec in specs.RINGERS:
        person = people.get(spec.name)
        if person is None:
            continue
        ringers[spec.name], _ = upsert(
            Ringer,
            lookup={"person": person},
            values={
                "permit_number": spec.permit_number,
                "permit_kind": spec.permit_kind,
                "permit_scope": spec.permit_scope,
                "valid_from": dt.date.fromisoformat(spec.valid_from),
                "valid_until": dt.date.fromisoformat(spec.valid_until),
            },
        )
    return ringers


def programmes_upsert() -> dict[str, RingingProgramme]:
    by_code = Programme.objects.in_bulk(
        [spec.code for spec in specs.PROGRAMMES], field_name="code"
    )
    taxa = Taxon.objects.in_bulk(
        {cd_nom for spec in specs.PROGRAMMES for cd_nom in spec.targets}
    )
    programmes = {}
    for spec in specs.PROGRAMMES:
        if spec.code not in by_code:
            continue
        ringing, _ = upsert(
            RingingProgramme,
            lookup={"programme": by_code[spec.code]},
            values={"kind": spec.kind},
        )
        set_m2m(ringing.target_taxa, [taxa[c] for c in spec.targets if c in taxa])
        programmes[spec.code] = ringing
    return programmes


def stations_upsert() -> dict[str, Station]:
    sites = {
        site.name: site
        for site in Site.objects.filter(name__in=[s.site for s in specs.STATIONS])
    }
    stations = {}
    for spec in specs.STATIONS:
        if spec.site not in sites:
            continue
        station, _ = upsert(
            Station,
            lookup={"site": sites[spec.site], "name": spec.name},
            values={"code": spec.code},
        )
        existing = set(station.nets.values_list("number", flat=True))
        NetPosition.objects.bulk_create(
            [
                NetPosition(
                    station=station,
                    number=number,
                    length_m=Decimal(str(spec.net_length)),
                    mesh_mm=16,
                )
                for number in range(1, spec.nets + 1)
                if number not in existing
            ]
        )
        stations[spec.site] = station
    return stations


def series_upsert(plan: DemoPlan) -> list[RingSeries]:
    series = []
    for row in series_plan(plan.rings_used):
        item, _ = upsert(
            RingSeries,
            lookup={
                "scheme": FRANCE_SCHEME,
                "size": row["size"],
                "prefix": row["prefix"],
                "first": row["first"],
            },
            values={
                "last": row["last"],
                "digits": row["digits"],
                "received_on": row["received_on"],
                "comment": "Lot reçu du CRBPO (démonstration).",
            },
        )
        series.append(item)
    return series


def _series_of(series: list[RingSeries], ring: str, size: str) -> RingSeries | None:
    for item in series:
        if item.size != size or not ring.startswith(item.prefix):
            continue
        digits = ring[len(item.prefix) :]
        if digits.isdigit() and item.first <= int(digits) <= item.last:
            return item
    return None


def _ringers_of(session, ringers: dict[str, Ringer]) -> list[Ringer]:
    rng = random.Random(f"ringers-{session.key}")
    lead = LEAD_RINGER.get(session.programme, "Benoît Delattre")
    names = [lead]
    if rng.random() < 0.5:
        names.append(rng.choice([n for n in specs.LICENSED if n != lead]))
    trainees = [
        n for n in specs.TRAINEES if n != "Émilie Wallet" or session.date.year > 2019
    ]
    if rng.random() < 0.6:
        names.append(rng.choice(trainees))
    return [ringers[n] for n in names if n in ringers]


def sessions_upsert(
    plan: DemoPlan,
    *,
    stations: dict[str, Station],
    programmes: dict[str, RingingProgramme],
    ringers: dict[str, Ringer],
    user: User | None,
) -> dict[str, Session]:
    datasets = {
        d.short_title: d
        for d in Dataset.objects.filter(
            short_title__in=list(programmes), producer__name=CPIE_CDT
        )
    }
    sessions = {}
    for planned in plan.sessions:
        station = stations.get(planned.site)
        programme = programmes.get(planned.programme)
        dataset = datasets.get(planned.programme)
        if station is None or programme is None or dataset is None:
            continue
        spec_nets = planned.spec.nets
        station_spec = next(s for s in specs.STATIONS if s.site == planned.site)
        nets = station_spec.nets if spec_nets is None else spec_nets
        rng = random.Random(f"weather-{planned.key}")
        weather, wind = rng.choice(WEATHER)
        session, _ = upsert(
            Session,
            lookup={"station": station, "programme": programme, "date": planned.date},
            values={
                "dataset": dataset,
                "start_time": planned.start,
                "end_time": planned.end,
                "nets_count": nets,
                "nets_length_m": Decimal(str(nets * station_spec.net_length)),
                "weather": weather,
                "wind": wind,
                "temperature_c": Decimal(str(rng.randint(4, 22))),
                "comment": planned.spec.comment,
            },
        )
        if session.created_by_id is None and user is not None:
            Session.objects.filter(pk=session.pk).update(
                created_by=user, updated_by=user
            )
        set_m2m(session.ringers, _ringers_of(planned, ringers))
        sessions[planned.key] = session
    return sessions


def captures_insert(
    plan: DemoPlan,
    *,
    sessions: dict[str, Session],
    series: list[RingSeries],
    user: User | None,
) -> int:
    """Create the missing captures of the plan and publish their occurrences (bulk).
    Returns how many were created."""
    existing = set(
        Capture.objects.filter(session__in=list(sessions.values())).values_list(
            "session_id", "line"
        )
    )
    taxa = Taxon.objects.in_bulk(
        {c["taxon_id"] for s in plan.sessions for c in s.captures}
    )
    session_rows = Session.objects.in_bulk([s.pk for s in sessions.values()])
    sessions_full = {
        pk: s
        for pk, s in Session.objects.filter(pk__in=session_rows)
        .select_related(
            "station__site", "programme__programme", "dataset", "dataset__programme"
        )
        .prefetch_related("ringers__person__organisation", "ringers__person__user")
        .in_bulk()
        .items()
    }
    captures, records = [], []
    for planned in plan.sessions:
        session = sessions.get(planned.key)
        if session is None:
            continue
        session = sessions_full[session.pk]
        observers = [ringer.person for ringer in session.ringers.all()]
        author = next((p.user for p in observers if p.user_id), None) or user
        for planned_capture in planned.captures:
            if (session.pk, planned_capture["line"]) in existing:
                continue
            values = {
                k: v for k, v in planned_capture.items() if k not in ("taxon_id",)
            }
            for name in ("wing_mm", "mass_g", "third_primary_mm"):
                if values.get(name) is not None:
                    values[name] = Decimal(str(values[name]))
            capture = Capture(
                session=session,
                taxon=taxa[planned_capture["taxon_id"]],
                created_by=author,
                updated_by=author,
                **values,
            )
            if capture.action == Capture.Action.RINGED:
                capture.series = _series_of(
                    series, capture.ring_number, capture.ring_size
                )
            # The demo's nets have no position: the occurrence is at the site, as the
            # service writes it for a net without geometry (no query per capture).
            net, capture.net = capture.net, None
            fields = capture_occurrence_fields(capture)
            capture.net = net
            records.append(
                {
                    **fields,
                    "source": Source.BAGUAGE,
                    "source_key": f"{KEY_PREFIX}-{planned.key}-{capture.line:04d}",
                    "observers": observers,
                    "observers_label": people_label(observers),
                    "created_by": author,
                    "validation_status": 0,
                    "validator_username": None,
                    "validated_days": 0,
                    "dataset_code": "",
                }
            )
            captures.append(capture)
    if not captures:
        return 0
    users = {}
    ids = occurrences_copy(records, users)
    for capture, occurrence_id in zip(captures, ids, strict=True):
        capture.occurrence_id = occurrence_id
    Capture.objects.bulk_create(captures, batch_size=2000)
    return len(captures)


def euring_ranges() -> dict[int, tuple]:
    return {
        taxon_id: (
            float(w0) if w0 is not None else None,
            float(w1) if w1 is not None else None,
            float(m0) if m0 is not None else None,
            float(m1) if m1 is not None else None,
        )
        for taxon_id, w0, w1, m0, m1 in EuringSpecies.objects.filter(
            Q(wing_min__isnull=False) | Q(mass_min__isnull=False)
        ).values_list("taxon_id", "wing_min", "wing_max", "mass_min", "mass_max")
    }


def entry_user() -> User | None:
    return User.objects.filter(username=ENTRY_USER).first()
