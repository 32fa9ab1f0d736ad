"""The canaries' plantings (``tests/security/canaries.py``): organisation B, its people and
datasets, its dedicated taxa, then one function per kind of record, each planting B's rows
through the app's services as in real use, on one shared ``Scene``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import secrets
import string
import wave
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from baguage.models import (
    Capture,
    Ringer,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from baguage.services import capture_save, session_save
from observations.counts.services import VisitEntry, visit_save
from observations.models import CountProgramme, CountSite, CountVisit, Occurrence
from observations.services import media_check, occurrence_create, occurrence_media_add
from referentiel.models import (
    Dataset,
    Organisation,
    Person,
    Role,
    SensitivityRule,
    Site,
    Taxon,
    User,
)
from sensibilisation.models import Campaign as OutreachCampaign
from sensibilisation.models import CampaignSpecies, Report
from sensibilisation.protection import photo_clean
from sensibilisation.services.campaigns import (
    report_confirm,
    report_confirmation_token,
    report_submit,
)
from terrils.models import Campaign as TerrilCampaign
from terrils.models import GroupCode, Terril
from terrils.models import Visit as TerrilVisit
from terrils.services.campaigns import campaign_create, campaign_record_create
from tests.factories.referentiel import (
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    square,
)
from tests.security.markers import (
    SITE_URL,
    YEAR,
    Planter,
    PointSource,
    Rows,
    dedicated_taxon,
    jpeg_with_exif,
    l93_point,
    unused_value,
)
from zones_humides.demo.newts import belly_image
from zones_humides.models import (
    DriftFence,
    FenceCheck,
    NewtCapture,
    NewtIndividual,
    PopAire,
    PopPassage,
    PopSite,
)
from zones_humides.services import (
    SpeciesLine,
    fence_check_save,
    newt_capture_create,
    newt_capture_tag,
    passage_save,
)


@dataclasses.dataclass
class Scene:
    """What every planting shares: the marker registry, the rows planted so far, the canary
    points handed out (with what each locates), and B with its people and datasets."""

    P: Planter
    rows: Rows
    tag: str
    organisation: Organisation
    coordinator: User
    observer: Person
    ringer_person: Person
    determiner: Person
    programme: object
    public: Dataset
    private: Dataset
    taxa: dict[str, Taxon] = dataclasses.field(default_factory=dict)
    points: PointSource = dataclasses.field(default_factory=PointSource)
    labels: dict[tuple[float, float], str] = dataclasses.field(default_factory=dict)
    date: dt.date = dt.date(YEAR, 5, 12)

    def place(self, label: str) -> tuple[float, float]:
        xy = self.points.next()
        self.labels[xy] = label
        return xy

    def site(self, label: str, kind: str) -> Site:
        """A protected site of B at a fresh canary point."""
        return Site.objects.create(
            kind=kind,
            geom=l93_point(self.place(label)),
            manager=self.organisation,
            is_public=False,
            **self.P.values(Site),
        )


def plant_owner() -> Scene:
    """B, its coordinator, its people, its datasets (and the territory the derived fields
    and the level-1 blurring need)."""
    P, rows = Planter(), Rows()
    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(4))
    departement = DepartementFactory()
    CommuneFactory(departement=departement)
    organisation = OrganisationFactory(
        name=f"Réseau Sentinelle {tag}", short_name=f"RS {tag}", kind="association"
    )
    coordinator = UserFactory(
        username=f"coord-sentinelle-{tag.lower()}",
        organisation=organisation,
        roles=[Role.COORDINATEUR],
    )
    observer, ringer_person, determiner = (
        PersonFactory(organisation=organisation, **P.values(Person)) for _ in range(3)
    )
    programme = ProgrammeFactory(
        code=f"SENTINELLE-{tag}",
        name=f"Suivis Sentinelle {tag}",
        coordinator=organisation,
    )
    public = DatasetFactory(
        producer=organisation,
        programme=programme,
        title=f"Inventaires Sentinelle {tag}",
        is_public=True,
    )
    private = DatasetFactory(
        producer=organisation,
        title=f"Suivis internes Sentinelle {tag}",
        is_public=False,
    )
    rows.add(organisation, coordinator, observer, ringer_person, determiner, programme)
    rows.add(public, private)
    return Scene(
        P=P,
        rows=rows,
        tag=tag,
        organisation=organisation,
        coordinator=coordinator,
        observer=observer,
        ringer_person=ringer_person,
        determiner=determiner,
        programme=programme,
        public=public,
        private=private,
    )


# Sensitivity level of each dedicated taxon (2 unless said).
LEVELS = {"level1": 1, "level4": 4, "level0": 0}


def plant_taxa(s: Scene) -> tuple[dict[int, list[Taxon]], list[SensitivityRule]]:
    """Dedicated taxa, so that the sensitivity rules touch the canaries only."""
    base = 9_917_000
    s.taxa = {
        "newt": dedicated_taxon(
            base + 1, "Triturus arcanus", "amphibiens", class_name="Amphibia"
        ),
        "bat": dedicated_taxon(
            base + 2,
            "Myotis arcanus",
            "chiropteres",
            class_name="Mammalia",
            order_name="Chiroptera",
        ),
        "bird": dedicated_taxon(
            base + 3, "Sylvia arcana", "oiseaux", class_name="Aves"
        ),
        "toad": dedicated_taxon(
            base + 4, "Epidalea arcana", "amphibiens", class_name="Amphibia"
        ),
        "level1": dedicated_taxon(
            base + 5, "Bufo arcanus", "amphibiens", class_name="Amphibia"
        ),
        "level4": dedicated_taxon(
            base + 6, "Ophrys arcana", "flore", kingdom="Plantae"
        ),
        "level0": dedicated_taxon(
            base + 7, "Rana vulgata", "amphibiens", class_name="Amphibia"
        ),
    }
    rules = [
        SensitivityRule.objects.get_or_create(
            taxon=taxon, level=LEVELS.get(key, 2), departement=None
        )[0]
        for key, taxon in s.taxa.items()
        if LEVELS.get(key, 2)
    ]
    by_level: dict[int, list[Taxon]] = {}
    for key, taxon in s.taxa.items():
        by_level.setdefault(LEVELS.get(key, 2), []).append(taxon)
    s.rows.add(*s.taxa.values(), *rules)
    return by_level, rules


def plant_plain(s: Scene) -> list[Occurrence]:
    """Plain occurrences: public (sensitivity 2 with a site, 1, 4) and private (0 and 2)."""
    plain = []
    gite = s.site("occurrence publique niveau 2 et son site (gîte)", Site.Kind.GITE)
    s.rows.add(gite)
    for key, dataset, label, extra in (
        ("bat", s.public, "occurrence publique niveau 2", {"site": gite}),
        ("level1", s.public, "occurrence publique niveau 1", {}),
        ("level4", s.public, "occurrence publique niveau 4", {}),
        ("level0", s.private, "occurrence privée niveau 0", {}),
        ("bat", s.private, "occurrence privée niveau 2", {}),
    ):
        xy = (gite.geom.x, gite.geom.y) if "site" in extra else s.place(label)
        # observers_label is written by occurrence_create (from the observers), the
        # validation comment by occurrences_validate.
        occurrence_fields = s.P.values(
            Occurrence, exclude=("observers_label", "validation_comment")
        )
        plain.append(
            occurrence_create(
                user=s.coordinator,
                observers=[s.observer],
                dataset=dataset,
                taxon=s.taxa[key],
                date_start=s.date,
                date_end=s.date,
                geom=l93_point(xy),
                precision_m=5,
                altitude_min=60,
                determiner=s.determiner,
                **extra,
                **occurrence_fields,
            )
        )
    plant_media(s, plain)
    return plain


def plant_media(s: Scene, occurrences: list[Occurrence]) -> None:
    """A photo (its EXIF holding the record's position) and a bat recording on each plain
    occurrence. The photo is served without its EXIF, so the marker is in the sound: its
    samples spell it, and a sound is served as sent (``core.media``)."""
    for occurrence in occurrences:
        marker = s.P.text()
        xy = (occurrence.geom.x, occurrence.geom.y)
        photo = jpeg_with_exif(belly_image("TA", s.tag), "Photo de terrain", xy)
        media = occurrence_media_add(
            occurrence=occurrence,
            user=s.coordinator,
            media=media_check(
                [
                    SimpleUploadedFile("IMG_2020.jpg", photo),
                    SimpleUploadedFile("chiro.wav", wav_spelling(marker)),
                ]
            ),
        )
        s.P.own(marker, media[1], "file", in_file=True)
        s.rows.add(*media)


def wav_spelling(text: str) -> bytes:
    """A WAV recording whose 16-bit samples are the bytes of ``text``."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        data = text.encode()
        sound.writeframes(data + b"\x00" * (len(data) % 2))
    return out.getvalue()


def plant_pop(s: Scene) -> list[Occurrence]:
    """POP Amphibien: aire → pond (with its wetland site) → passage → line; a crested
    newt photographed at that passage, tagged as a new individual."""
    P = s.P
    pond_xy = s.place("mare POP (site, passage, triton)")
    pond_site = Site.objects.create(
        kind=Site.Kind.MARE,
        geom=l93_point(pond_xy),
        manager=s.organisation,
        is_public=False,
        **P.values(Site),
    )
    aire = PopAire.objects.create(
        number=unused_value(
            PopAire, "number", lambda: 20000 + secrets.randbelow(12000)
        ),
        geom=square(round(pond_xy[0]) - 700, round(pond_xy[1]) - 1300, 2000),
        landscape_category="3",
        dataset=s.public,
        first_year=YEAR,
        main_observer=s.observer,
        created_by=s.coordinator,
        updated_by=s.coordinator,
        **P.values(PopAire),
    )
    pond = PopSite.objects.create(
        aire=aire,
        geom=l93_point(pond_xy),
        habitat="1",
        site=pond_site,
        **P.values(PopSite),
    )
    passage = passage_save(
        user=s.coordinator,
        pop_site=pond,
        fields={
            "number": 1,
            "date": dt.date(YEAR, 3, 10),
            "expertise": PopPassage.Expertise.CHEVRONNE,
            **P.values(PopPassage),
        },
        observers=[s.observer],
        lines=[SpeciesLine(taxon=s.taxa["newt"], count_min=4, count_max=6)],
    )
    # The photo is kept as sent: its EXIF holds a marker and the pond's position, as a
    # phone's photo would.
    photo_marker = P.text()
    newt = newt_capture_create(
        user=s.coordinator,
        date=passage.date,
        site=pond_site,
        dataset=s.public,
        photo=SimpleUploadedFile(
            "IMG_2020.jpg",
            jpeg_with_exif(belly_image("TA", s.tag), photo_marker, pond_xy),
            content_type="image/jpeg",
        ),
        sex="male",
        passage=passage,
        **P.values(NewtCapture),
    )
    P.own(photo_marker, newt, "photo", in_file=True)
    individual = newt_capture_tag(user=s.coordinator, capture=newt, individual=None)
    NewtIndividual.objects.filter(pk=individual.pk).update(**P.values(NewtIndividual))
    individual.refresh_from_db()
    newt.refresh_from_db()
    lines = list(passage.observations.all())
    s.rows.add(pond_site, aire, pond, passage, *lines, newt)
    s.rows.add(individual)
    return [line.occurrence for line in lines]


def plant_counts(s: Scene) -> list[Occurrence]:
    """Site count: programme → site → visit (with its conditions) → count."""
    ground = s.site("site de comptage (gîte d'hibernation)", Site.Kind.GITE)
    count_programme = CountProgramme.objects.create(
        programme=ProgrammeFactory(
            code=f"SENTINELLE-GITES-{s.tag}",
            name=f"Gîtes Sentinelle {s.tag}",
            coordinator=s.organisation,
        ),
        dataset=s.public,
        kind=CountProgramme.Kind.HIBERNACULA,
    )
    count_programme.taxa.add(s.taxa["bat"])
    count_site = CountSite.objects.create(
        programme=count_programme,
        site=ground,
        habitat=CountSite.Habitat.MINE,
        **s.P.values(CountSite),
    )
    visit = visit_save(
        entry=VisitEntry(
            count_site=count_site,
            date=dt.date(YEAR, 1, 20),
            observers=[s.observer],
            conditions={"temperature": Decimal("8.5"), **s.P.values(CountVisit)},
            counts={s.taxa["bat"].pk: 12},
        ),
        user=s.coordinator,
    )
    counts = list(visit.counts.all())
    s.rows.add(ground, count_programme.programme, count_programme, count_site)
    s.rows.add(visit, *counts)
    return [count.occurrence for count in counts]


def plant_terril(s: Scene) -> list[Occurrence]:
    """Terril evaluation: a campaign of B's dataset, a visit, a record on the terril."""
    terril_xy = s.place("donnée de campagne sur terril")
    terril = Terril.objects.create(
        number=unused_value(
            Terril, "number", lambda: f"S{secrets.randbelow(90000) + 10000}"
        ),
        name=f"Terril Sentinelle {s.tag}",
        geom=square(round(terril_xy[0]) - 330, round(terril_xy[1]) - 170, 500),
        shape=Terril.Shape.FLAT,
    )
    campaign = campaign_create(
        terril=terril, year=YEAR, dataset=s.public, **s.P.values(TerrilCampaign)
    )
    terril_visit = TerrilVisit.objects.create(  # no service writes visits
        campaign=campaign,
        group=GroupCode.AMPHIBIANS,
        date=dt.date(YEAR, 4, 14),
        **s.P.values(TerrilVisit),
    )
    record = campaign_record_create(
        campaign=campaign,
        user=s.coordinator,
        group=GroupCode.AMPHIBIANS,
        taxon=s.taxa["toad"],
        date=dt.date(YEAR, 4, 14),
        geom=l93_point(terril_xy),
        count=3,
        observers=[s.observer],
        comment=s.P.text(),
    )
    s.rows.add(terril, campaign, terril_visit, record)
    return [record.occurrence]


def plant_fence(s: Scene) -> list[Occurrence]:
    """Drift fence: fence on a wetland site → morning check → count."""
    fence_site = s.site("barrière-piège (site)", Site.Kind.MARE)
    fence = DriftFence.objects.create(
        site=fence_site,
        first_year=YEAR - 2,
        dataset=s.public,
        **s.P.values(DriftFence),
    )
    check = fence_check_save(
        user=s.coordinator,
        fence=fence,
        fields={
            "date": dt.date(YEAR, 3, 6),
            "temperature_c": Decimal("7.5"),
            **s.P.values(FenceCheck),
        },
        counts=[{"taxon": s.taxa["newt"], "sex": "male", "alive": True, "count": 2}],
    )
    counts = list(check.counts.all())
    s.rows.add(fence_site, fence, check, *counts)
    return [count.occurrence for count in counts]


def _ringing_stock(s: Scene) -> tuple[Ringer, RingSeries]:
    """B's ringer and a series of rings received."""
    ringer = Ringer.objects.create(
        person=s.ringer_person,
        valid_from=dt.date(YEAR - 5, 1, 1),
        valid_until=dt.date(YEAR + 5, 12, 31),
        **s.P.values(Ringer),
    )
    prefix = unused_value(
        RingSeries,
        "prefix",
        lambda: "".join(secrets.choice(string.ascii_uppercase) for _ in range(2)),
    )
    series = RingSeries.objects.create(
        size="A",
        prefix=prefix,
        first=1,
        last=50,
        digits=7,
        received_on=dt.date(YEAR, 1, 15),
        ringer=ringer,
        **s.P.values(RingSeries),
    )
    return ringer, series


def plant_ringing(s: Scene) -> list[Occurrence]:
    """Ringing: station on B's ringing site, B's ringer and rings, a session, a capture."""
    station_site = s.site("station de baguage (site)", Site.Kind.MARAIS)
    station = Station.objects.create(site=station_site, **s.P.values(Station))
    ringer, series = _ringing_stock(s)
    ringing_programme = RingingProgramme.objects.create(
        programme=ProgrammeFactory(
            code=f"SENTINELLE-STOC-{s.tag}",
            name=f"STOC Sentinelle {s.tag}",
            coordinator=s.organisation,
        ),
        kind=RingingProgramme.Kind.STOC,
    )
    session = session_save(
        user=s.coordinator,
        fields={
            "station": station,
            "programme": ringing_programme,
            "dataset": s.public,
            "date": dt.date(YEAR, 6, 14),
            "start_time": dt.time(6, 0),
            "end_time": dt.time(12, 0),
            "nets_count": 10,
            "nets_length_m": Decimal("120"),
            **s.P.values(Session),
        },
        ringers=[ringer],
    )
    capture, _warnings = capture_save(
        session=session,
        user=s.coordinator,
        fields={
            "action": Capture.Action.RINGED,
            "ring_number": f"{series.prefix}1",
            "taxon": s.taxa["bird"],
            "age": "3",
            "time": dt.time(7, 30),
            **s.P.values(Capture),
        },
    )
    s.rows.add(station_site, station, ringer, series)
    s.rows.add(ringing_programme.programme, ringing_programme, session, capture)
    return [capture.occurrence]


def plant_citizen_report(s: Scene) -> list[Occurrence]:
    """Citizen science: B's open campaign, a report submitted and confirmed."""
    outreach = OutreachCampaign.objects.create(
        slug=f"sentinelle-{s.tag.lower()}",
        title=f"Sentinelles des mares {s.tag}",
        programme=s.programme,
        dataset=s.public,
        organisation=s.organisation,
        date_start=dt.date(YEAR - 1, 3, 1),
        is_open=True,
    )
    species = CampaignSpecies.objects.create(
        campaign=outreach, taxon=s.taxa["toad"], common_name="Crapaud des arcanes"
    )
    report = report_submit(
        species=species,
        observed_on=dt.date(YEAR, 4, 2),
        geom=l93_point(s.place("signalement participatif")),
        precision_m=10,
        count=2,
        # Re-encoded as the public form does (sensibilisation.forms.ReportForm).
        photo_jpeg=photo_clean(
            SimpleUploadedFile(
                "jardin.jpg", belly_image("RP", s.tag), content_type="image/jpeg"
            )
        ),
        site_url=SITE_URL,
        **s.P.values(Report),
    )
    report = report_confirm(token=report_confirmation_token(report), site_url=SITE_URL)
    s.rows.add(outreach, species, report)
    return [report.occurrence]


# Every kind of record, in planting order (a source before the rows copying it).
PROTOCOLS = (
    plant_pop,
    plant_counts,
    plant_terril,
    plant_fence,
    plant_ringing,
    plant_citizen_report,
)
