"""Issue 17, the canaries: sensitive records of another organisation ("B") in every kind of
record, each free-text field holding its own unique marker and each record its own precise
point, for the crawler to prove that none of them escapes to a reader who may not see them.

``plant_canaries()`` creates, through the apps' services as in real use:

- plain occurrences in B's public dataset (sensitivity 2, 1 and 4) and in its private one
  (sensitivity 0 and 2);
- a POP Amphibien aire → pond → passage with a species line (and its published occurrence),
  and a crested-newt capture photographed at that passage, tagged as an individual;
- a site-count programme → count site → visit → count (and occurrence);
- a terril evaluation campaign with a visit and a record (and occurrence);
- a drift fence → morning check → count (and occurrence);
- a ringing station → session → capture of a ring from B's series (and occurrence);
- a citizen-science report, confirmed (and occurrence);

then validates every published occurrence (status 1, each with its own comment), so that in
a public dataset even an anonymous reader would read it, blurred.

Markers are found by introspection: every ``CharField``/``TextField`` without choices of a
planted model (any but ``CONTEXT_MODELS``) carries a marker in every canary row, unless it is
listed in ``SKIPPED_FIELDS`` with the reason; a new free-text field is planted automatically. A value the
services derive from another row (the pond's name as the occurrence's place name…) keeps the
copied marker and gets its own appended. Models whose rows are public by design (B itself, its
public dataset's metadata, programmes, taxa…) are in ``CONTEXT_MODELS``: their rows are listed
in ``objects`` for the crawler's URL parameters but carry no marker.

Marker strings: ``CANARI`` + 6 upper-case letters or digits; in an e-mail field the local part
``canari-`` + 6 lower-case ones (``canari-ab12cd@example.org``); in a URL field
``https://example.org/CANARIxxxxxx`` (or ``#CANARIxxxxxx`` after the link a service wrote).
All are unique and none is a substring of another, even ignoring case. One more marker is in a
file, not in the database: the EXIF description of the newt's photo, kept as sent with the
pond's GPS position (``MarkerInfo.in_file``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
import secrets
import string
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from PIL import Image

from baguage.models import (
    Capture,
    Ringer,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from baguage.services import capture_save, session_save
from observations.blurring import BLANKED
from observations.counts.services import VisitEntry, visit_save
from observations.models import (
    CountProgramme,
    CountSite,
    CountVisit,
    Occurrence,
    OccurrenceChange,
    Validation,
)
from observations.services import (
    occurrence_create,
    occurrences_refresh_derived,
    occurrences_validate,
)
from referentiel.models import (
    AtlasGroup,
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
    TaxonFactory,
    UserFactory,
    square,
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

YEAR = 2020
MARKER_PREFIX = "CANARI"
EMAIL_PREFIX = "canari-"
CODE_LENGTH = 6
MARKER_RE = re.compile(r"CANARI[A-Z0-9]{6}|canari-[a-z0-9]{6}")
MARKER_SQL_RE = r"CANARI[A-Z0-9]{6}|canari-[a-z0-9]{6}"
SITE_URL = "http://localhost:8000"  # as the tests of sensibilisation

# Exposure of a marker. "blurred": a reader of another organisation may read it on a public
# record of sensitivity 1–3 shown blurred (the blurring drops only the fields of
# observations.blurring.BLANKED: the cited name, the observers and the determiner stay).
# "hidden": no reader of another organisation (without clearance) may ever read it.
HIDDEN, BLURRED = "hidden", "blurred"

SKIPPED_FIELDS: dict[tuple[str, str], str] = {
    **{
        ("observations.Occurrence", name): f"SINP nomenclature code ({mnemonic}), "
        "checked against referentiel.Nomenclature"
        for name, mnemonic in Occurrence.NOMENCLATURES.items()
    },
    ("observations.Occurrence", "source_key"): (
        "stable key of the source row (« pop:<pk> »…), unique per dataset, written by "
        "the services"
    ),
    ("observations.Occurrence", "grid_10km"): (
        "derived INPN 10 km cell code (10kmL93E…N…), computed from the geometry"
    ),
    ("zones_humides.PopAire", "grid_cell"): "INPN grid cell code (1kmL93E684N7040)",
    ("zones_humides.PassageObservation", "life_stage"): (
        "SINP STADE_VIE code (2 characters)"
    ),
    ("zones_humides.NewtIndividual", "code"): (
        "individual code TC-<year>-<n>, allocated by newt_capture_tag"
    ),
    ("baguage.Capture", "ring_scheme"): "EURING scheme code (FRP, BLB…)",
    ("baguage.Capture", "ring_number"): (
        "ring number, normalised and checked against B's ring series by capture_check"
    ),
    ("baguage.Capture", "ring_size"): "CRBPO ring size code (A, B, AA…)",
    ("baguage.Capture", "age"): "EURING age code (1 character)",
    ("baguage.Capture", "sexing_method"): "EURING sexing method code (1 character)",
    ("baguage.Capture", "brood_patch"): "EURING brood patch code (1 character)",
    ("baguage.Capture", "moult"): "EURING moult code (1 character)",
    ("baguage.Capture", "condition"): "EURING condition code (1 character)",
    ("baguage.Capture", "circumstances"): "EURING circumstances code (2 characters)",
    ("baguage.Capture", "other_marks"): "EURING other marks code (2 characters)",
    ("baguage.RingSeries", "scheme"): "EURING scheme code (3 characters)",
    ("baguage.RingSeries", "size"): "CRBPO ring size code (A, B, AA…)",
    ("baguage.RingSeries", "prefix"): (
        "ring prefix (capital letters) that ring numbers must start with"
    ),
    ("sensibilisation.Report", "client_hash"): (
        "SHA-256 of the sender's IP address (64 hex digits)"
    ),
}

# Models whose canary rows carry no marker: public by design, or shared referential.
CONTEXT_MODELS: dict[str, str] = {
    "referentiel.Organisation": "the producer B itself: its name is public",
    "referentiel.User": "B's coordinator, the positive-control reader",
    "referentiel.Dataset": (
        "SINP dataset metadata (title, description) is public for a public dataset; the "
        "private dataset's secrets are its records"
    ),
    "referentiel.Programme": "the network's programmes are a public list",
    "referentiel.Taxon": "taxonomic referential (dedicated names, public)",
    "referentiel.SensitivityRule": "the regional sensitivity référentiel",
    "terrils.Terril": "public registry of spoil heaps (its polygon holds the record)",
    "baguage.RingingProgramme": "CRBPO programme profile of a public programme",
    "sensibilisation.Campaign": "public campaign page",
    "sensibilisation.CampaignSpecies": "species list of the public campaign page",
}

_TEXT = (models.CharField, models.TextField)


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    """Every CharField/TextField of ``model`` without choices, primary key excluded."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, _TEXT) and not field.choices and not field.primary_key
    ]


def planted_fields(model: type[models.Model]) -> list[models.Field]:
    """The free-text fields of a planted model that get a marker in every canary row."""
    label = model._meta.label
    if label in CONTEXT_MODELS:
        return []
    return [f for f in free_text_fields(model) if (label, f.name) not in SKIPPED_FIELDS]


@dataclasses.dataclass(frozen=True)
class MarkerInfo:
    """Where a marker was planted (its own row and field), and whether a reader of another
    organisation may read it on a blurred public record (``exposure`` "blurred") or never
    (``"hidden"``)."""

    model: str
    pk: object
    field: str
    exposure: str = HIDDEN
    # In the bytes of the stored file of ``field`` (a photo's EXIF), not in the database.
    in_file: bool = False


@dataclasses.dataclass(frozen=True)
class PointPattern:
    """A canary point as it may show in a response: Lambert-93 and WGS84.

    The points are chosen so that rounding and truncating agree (Lambert-93 metres have a
    fractional part in [0.1, 0.4); the fifth decimal of longitude and latitude is 1 to 3):
    ``lon4``/``lat4`` are then a prefix of any output with 4 or more decimals, and ``x0``/``y0``
    of any Lambert-93 output in metres."""

    x: float
    y: float
    lon: float
    lat: float

    @property
    def lon4(self) -> str:
        return f"{self.lon:.4f}"

    @property
    def lat4(self) -> str:
        return f"{self.lat:.4f}"

    @property
    def x0(self) -> str:
        return str(math.floor(self.x))

    @property
    def y0(self) -> str:
        return str(math.floor(self.y))

    def found_in(self, text: str) -> list[str]:
        """The forms of this point that ``text`` holds (both coordinates of a form)."""
        found = []
        if self.lon4 in text and self.lat4 in text:
            found.append(f"WGS84 {self.lon4} {self.lat4}")
        if self.x0 in text and self.y0 in text:
            found.append(f"Lambert-93 {self.x0} {self.y0}")
        return found


@dataclasses.dataclass
class Canaries:
    """What ``plant_canaries`` planted.

    ``markers``: marker → where it was planted and its exposure. ``points``: the Lambert-93
    points, each the location of one record (the places holding a record share its point:
    pond, count site, fence site, ringing site, report). ``objects``: model → canary rows,
    sources before the rows derived from them. ``tables``: their ``db_table``."""

    organisation: Organisation
    coordinator: User
    public_datasets: list[Dataset]
    private_dataset: Dataset
    # Sensitivity level → taxa with a rule of that level (0: no rule).
    taxa: dict[int, list[Taxon]]
    rules: list[SensitivityRule]
    year: int
    markers: dict[str, MarkerInfo]
    points: list[tuple[float, float]]
    # Lambert-93 point → what it locates ("pond", "occurrence level 2"…).
    point_labels: dict[tuple[float, float], str]
    objects: dict[type[models.Model], list[models.Model]]
    tables: list[str]

    @property
    def datasets(self) -> list[Dataset]:
        return [*self.public_datasets, self.private_dataset]

    @property
    def occurrences(self) -> list[Occurrence]:
        return self.objects[Occurrence]

    @property
    def invisible_occurrences(self) -> list[Occurrence]:
        """Occurrences no reader of another organisation (without clearance) may know
        of at all, not even blurred: those of the private dataset and of sensitivity 4.
        Their ``uuid`` is a marker too."""
        return [
            o
            for o in self.occurrences
            if not o.dataset.is_public or o.sensitivity_level == 4
        ]

    @property
    def hidden_markers(self) -> list[str]:
        """Markers no reader of another organisation (without clearance) may ever read."""
        return [m for m, info in self.markers.items() if info.exposure == HIDDEN]

    def point_patterns(self) -> list[PointPattern]:
        return point_patterns(self.points)

    def ids(self, model: type[models.Model]) -> list:
        return [obj.pk for obj in self.objects.get(model, [])]

    def markers_of(self, obj: models.Model) -> dict[str, str]:
        """Field → marker planted in ``obj``'s own field."""
        label = obj._meta.label
        return {
            info.field: marker
            for marker, info in self.markers.items()
            if info.model == label and info.pk == obj.pk
        }


def point_patterns(points: Iterable[tuple[float, float]]) -> list[PointPattern]:
    """Each Lambert-93 point with its WGS84 (lon, lat) rounded to 4 decimals."""
    transform = CoordTransform(
        SpatialReference(settings.SRID), SpatialReference(settings.API_SRID)
    )
    patterns = []
    for x, y in points:
        point = Point(x, y, srid=settings.SRID)
        point.transform(transform)
        patterns.append(
            PointPattern(x=x, y=y, lon=round(point.x, 4), lat=round(point.y, 4))
        )
    return patterns


# Canary points, in Loos-en-Gohelle (the factories' commune is a 6 km square around the town
# hall, LOOS_X/LOOS_Y): all inside the 10 km cell E068N704, ≥ 600 m from its edges and the
# commune's, 390 m or more apart, each on its own longitude and latitude at 4 decimals.
# ``compute_canary_points()`` made them (the test checks they are still what it makes).
CANARY_POINTS = [
    (682124.13, 7040603.11),
    (682490.17, 7041404.31),
    (682883.17, 7042205.11),
    (683270.29, 7041080.11),
    (683664.13, 7041880.19),
    (684081.13, 7040764.31),
    (684445.29, 7041566.19),
    (684831.13, 7042367.27),
    (685240.13, 7041240.19),
    (685634.17, 7042041.27),
    (686000.23, 7040927.31),
    (686393.23, 7041728.11),
]


def _good_fraction(value: float, scale: float) -> bool:
    fraction = (value * scale) % 1
    return 0.12 <= fraction <= 0.35


def compute_canary_points(count: int = 12) -> list[tuple[float, float]]:
    """Pattern-friendly points (see ``PointPattern``) near the nodes of a staggered grid:
    Lambert-93 metres with odd fractional parts in [0.1, 0.4), longitude and latitude with
    their fifth decimal 1 to 3."""
    transform = CoordTransform(
        SpatialReference(settings.SRID), SpatialReference(settings.API_SRID)
    )
    points = []
    for index in range(count):
        x0 = 682100.0 + index * 390
        y0 = 7040600.0 + (index * 5 % 12) * 160
        found = None
        for dy in range(40):
            for dx in range(40):
                x = x0 + dx + (0.13, 0.17, 0.23, 0.29)[(index + dx) % 4]
                y = y0 + dy + (0.19, 0.31, 0.27, 0.11)[(index + dy) % 4]
                point = Point(x, y, srid=settings.SRID)
                point.transform(transform)
                if _good_fraction(point.x, 1e4) and _good_fraction(point.y, 1e4):
                    found = (round(x, 2), round(y, 2))
                    break
            if found:
                break
        if found is None:  # pragma: no cover
            raise RuntimeError(f"no pattern-friendly point near ({x0}, {y0})")
        points.append(found)
    return points


@dataclasses.dataclass
class _PointSource:
    used: int = 0

    def next(self) -> tuple[float, float]:
        self.used += 1
        return CANARY_POINTS[self.used - 1]


class _Planter:
    """Marker registry: fresh markers, claimed by the (row, field) they were planted in."""

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.pending: set[str] = set()
        self.markers: dict[str, MarkerInfo] = {}

    def _code(self) -> str:
        alphabet = string.ascii_uppercase + string.digits
        while True:
            code = "".join(secrets.choice(alphabet) for _ in range(CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def text(self) -> str:
        marker = MARKER_PREFIX + self._code()
        self.pending.add(marker)
        return marker

    def value(self, field: models.Field) -> tuple[str, str]:
        """(marker, value to store) for ``field``."""
        if isinstance(field, models.EmailField):
            marker = EMAIL_PREFIX + self._code().lower()
            self.pending.add(marker)
            return marker, f"{marker}@example.org"
        marker = self.text()
        if isinstance(field, models.URLField):
            return marker, f"https://example.org/{marker}"
        return marker, marker

    def values(
        self, model: type[models.Model], exclude: Iterable[str] = ()
    ) -> dict[str, str]:
        """A marker value for every planted field of ``model`` but ``exclude``, to give a
        factory or a service."""
        return {
            f.name: self.value(f)[1]
            for f in planted_fields(model)
            if f.name not in exclude
        }

    def own(
        self, marker: str, obj: models.Model, field: str, in_file: bool = False
    ) -> None:
        self.pending.discard(marker)
        self.markers[marker] = MarkerInfo(
            obj._meta.label, obj.pk, field, in_file=in_file
        )

    def claim(self, obj: models.Model) -> None:
        """Give the pending markers found in ``obj``'s planted fields to those fields."""
        for field in planted_fields(type(obj)):
            for marker in MARKER_RE.findall(getattr(obj, field.attname) or ""):
                if marker in self.pending:
                    self.own(marker, obj, field.name)

    def complete(self, obj: models.Model) -> None:
        """Give every planted field of ``obj`` that has no marker of its own one (appended
        to a value the services derived, or replacing it when it would not fit)."""
        label = obj._meta.label
        owned = {
            info.field
            for info in self.markers.values()
            if info.model == label and info.pk == obj.pk
        }
        changes = {}
        for field in planted_fields(type(obj)):
            if field.name in owned:
                continue
            marker, value = self.value(field)
            current = getattr(obj, field.attname) or ""
            if isinstance(field, models.URLField):
                # Keep the link the service wrote (a report's photo page): a fragment.
                appended = f"{current}#{marker}"
            elif isinstance(field, models.EmailField):
                appended = value
            else:
                appended = f"{current} {value}"
            if current and (
                field.max_length is None or len(appended) <= field.max_length
            ):
                value = appended
            changes[field.attname] = value
            setattr(obj, field.attname, value)
            self.own(marker, obj, field.name)
        if changes:
            type(obj)._default_manager.filter(pk=obj.pk).update(**changes)


class _Rows:
    """The canary rows by model, in planting order (sources before the rows copying them)."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[models.Model]] = {}

    def add(self, *objs: models.Model) -> None:
        for obj in objs:
            rows = self.by_model.setdefault(type(obj), [])
            if all(row.pk != obj.pk for row in rows):
                rows.append(obj)

    def __iter__(self) -> Iterator[models.Model]:
        for rows in self.by_model.values():
            yield from rows


def _taxon(cd_nom: int, name: str, group: str, **ranks) -> Taxon:
    return TaxonFactory(
        cd_nom=cd_nom,
        scientific_name=name,
        kingdom=ranks.pop("kingdom", "Animalia"),
        atlas_group=AtlasGroup.objects.filter(code=group).first(),
        **ranks,
    )


def _unused(model, field: str, make) -> object:
    while True:
        value = make()
        if not model.objects.filter(**{field: value}).exists():
            return value


def _point(xy: tuple[float, float]) -> Point:
    return Point(*xy, srid=settings.SRID)


def _dms(value: float) -> tuple[float, float, float]:
    degrees, rest = divmod(abs(value) * 3600, 3600)
    minutes, seconds = divmod(rest, 60)
    return (degrees, minutes, round(seconds, 4))


def _jpeg_with_exif(jpeg: bytes, marker: str, xy: tuple[float, float]) -> bytes:
    """``jpeg`` with an EXIF description (``marker``) and the GPS position of ``xy``."""
    wgs84 = _point(xy)
    wgs84.transform(settings.API_SRID)
    exif = Image.Exif()
    exif[0x010E] = marker  # ImageDescription
    exif[0x8825] = {  # GPS IFD
        1: "N" if wgs84.y >= 0 else "S",
        2: _dms(wgs84.y),
        3: "E" if wgs84.x >= 0 else "W",
        4: _dms(wgs84.x),
    }
    out = io.BytesIO()
    with Image.open(io.BytesIO(jpeg)) as image:
        image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


@transaction.atomic
def plant_canaries() -> Canaries:
    """Plant the canaries of organisation B (see the module docstring); ~1 s."""
    P = _Planter()
    rows = _Rows()
    points = _PointSource()
    labels: dict[tuple[float, float], str] = {}

    def place(label: str) -> tuple[float, float]:
        xy = points.next()
        labels[xy] = label
        return xy

    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(4))
    date = dt.date(YEAR, 5, 12)

    # The territory the derived fields and the level-1 blurring need (get or create).
    departement = DepartementFactory()
    CommuneFactory(departement=departement)

    # B, its coordinator, its people, its datasets.
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

    # Dedicated taxa, so that the rules touch the canaries only.
    base = 9_917_000
    taxa = {
        "newt": _taxon(
            base + 1, "Triturus arcanus", "amphibiens", class_name="Amphibia"
        ),
        "bat": _taxon(
            base + 2,
            "Myotis arcanus",
            "chiropteres",
            class_name="Mammalia",
            order_name="Chiroptera",
        ),
        "bird": _taxon(base + 3, "Sylvia arcana", "oiseaux", class_name="Aves"),
        "toad": _taxon(
            base + 4, "Epidalea arcana", "amphibiens", class_name="Amphibia"
        ),
        "level1": _taxon(base + 5, "Bufo arcanus", "amphibiens", class_name="Amphibia"),
        "level4": _taxon(base + 6, "Ophrys arcana", "flore", kingdom="Plantae"),
        "level0": _taxon(base + 7, "Rana vulgata", "amphibiens", class_name="Amphibia"),
    }
    levels = {"level1": 1, "level4": 4, "level0": 0}
    rules = [
        SensitivityRule.objects.get_or_create(
            taxon=taxon, level=levels.get(key, 2), departement=None
        )[0]
        for key, taxon in taxa.items()
        if levels.get(key, 2)
    ]
    by_level: dict[int, list[Taxon]] = {}
    for key, taxon in taxa.items():
        by_level.setdefault(levels.get(key, 2), []).append(taxon)
    rows.add(*taxa.values(), *rules)

    def site(label: str, kind: str) -> Site:
        xy = place(label)
        return Site.objects.create(
            kind=kind,
            geom=_point(xy),
            manager=organisation,
            is_public=False,
            **P.values(Site),
        )

    # Plain occurrences: public (sensitivity 2 with a site, 1, 4) and private (0 and 2).
    plain = []
    gite = site("occurrence publique niveau 2 et son site (gîte)", Site.Kind.GITE)
    rows.add(gite)
    for key, dataset, label, extra in (
        ("bat", public, "occurrence publique niveau 2", {"site": gite}),
        ("level1", public, "occurrence publique niveau 1", {}),
        ("level4", public, "occurrence publique niveau 4", {}),
        ("level0", private, "occurrence privée niveau 0", {}),
        ("bat", private, "occurrence privée niveau 2", {}),
    ):
        xy = (gite.geom.x, gite.geom.y) if "site" in extra else place(label)
        # observers_label is written by occurrence_create (from the observers), the
        # validation comment by occurrences_validate.
        occurrence_fields = P.values(
            Occurrence, exclude=("observers_label", "validation_comment")
        )
        plain.append(
            occurrence_create(
                user=coordinator,
                observers=[observer],
                dataset=dataset,
                taxon=taxa[key],
                date_start=date,
                date_end=date,
                geom=_point(xy),
                precision_m=5,
                altitude_min=60,
                determiner=determiner,
                **extra,
                **occurrence_fields,
            )
        )

    # POP Amphibien: aire → pond (with its wetland site) → passage → line; a crested
    # newt photographed at that passage, tagged as a new individual.
    pond_xy = place("mare POP (site, passage, triton)")
    pond_site = Site.objects.create(
        kind=Site.Kind.MARE,
        geom=_point(pond_xy),
        manager=organisation,
        is_public=False,
        **P.values(Site),
    )
    aire = PopAire.objects.create(
        number=_unused(PopAire, "number", lambda: 20000 + secrets.randbelow(12000)),
        geom=square(round(pond_xy[0]) - 700, round(pond_xy[1]) - 1300, 2000),
        landscape_category="3",
        dataset=public,
        first_year=YEAR,
        main_observer=observer,
        created_by=coordinator,
        updated_by=coordinator,
        **P.values(PopAire),
    )
    pond = PopSite.objects.create(
        aire=aire,
        geom=_point(pond_xy),
        habitat="1",
        site=pond_site,
        **P.values(PopSite),
    )
    passage = passage_save(
        user=coordinator,
        pop_site=pond,
        fields={
            "number": 1,
            "date": dt.date(YEAR, 3, 10),
            "expertise": PopPassage.Expertise.CHEVRONNE,
            **P.values(PopPassage),
        },
        observers=[observer],
        lines=[SpeciesLine(taxon=taxa["newt"], count_min=4, count_max=6)],
    )
    # The photo is kept as sent: its EXIF holds a marker and the pond's position, as a
    # phone's photo would.
    photo_marker = P.text()
    newt = newt_capture_create(
        user=coordinator,
        date=passage.date,
        site=pond_site,
        dataset=public,
        photo=SimpleUploadedFile(
            "IMG_2020.jpg",
            _jpeg_with_exif(belly_image("TA", tag), photo_marker, pond_xy),
            content_type="image/jpeg",
        ),
        sex="male",
        passage=passage,
        **P.values(NewtCapture),
    )
    P.own(photo_marker, newt, "photo", in_file=True)
    individual = newt_capture_tag(user=coordinator, capture=newt, individual=None)
    NewtIndividual.objects.filter(pk=individual.pk).update(**P.values(NewtIndividual))
    individual.refresh_from_db()
    newt.refresh_from_db()
    rows.add(pond_site, aire, pond, passage, *passage.observations.all(), newt)
    rows.add(individual)

    # Site count: programme → site → visit (with its conditions) → count.
    count_site_ground = site("site de comptage (gîte d'hibernation)", Site.Kind.GITE)
    count_programme = CountProgramme.objects.create(
        programme=ProgrammeFactory(
            code=f"SENTINELLE-GITES-{tag}",
            name=f"Gîtes Sentinelle {tag}",
            coordinator=organisation,
        ),
        dataset=public,
        kind=CountProgramme.Kind.HIBERNACULA,
    )
    count_programme.taxa.add(taxa["bat"])
    count_site = CountSite.objects.create(
        programme=count_programme,
        site=count_site_ground,
        habitat=CountSite.Habitat.MINE,
        **P.values(CountSite),
    )
    visit = visit_save(
        entry=VisitEntry(
            count_site=count_site,
            date=dt.date(YEAR, 1, 20),
            observers=[observer],
            conditions={"temperature": Decimal("8.5"), **P.values(CountVisit)},
            counts={taxa["bat"].pk: 12},
        ),
        user=coordinator,
    )
    rows.add(count_site_ground, count_programme.programme, count_programme, count_site)
    rows.add(visit, *visit.counts.all())

    # Terril evaluation: a campaign of B's dataset, a visit, a record on the terril.
    terril_xy = place("donnée de campagne sur terril")
    terril = Terril.objects.create(
        number=_unused(
            Terril, "number", lambda: f"S{secrets.randbelow(90000) + 10000}"
        ),
        name=f"Terril Sentinelle {tag}",
        geom=square(round(terril_xy[0]) - 330, round(terril_xy[1]) - 170, 500),
        shape=Terril.Shape.FLAT,
    )
    campaign = campaign_create(
        terril=terril, year=YEAR, dataset=public, **P.values(TerrilCampaign)
    )
    terril_visit = TerrilVisit.objects.create(  # no service writes visits
        campaign=campaign,
        group=GroupCode.AMPHIBIANS,
        date=dt.date(YEAR, 4, 14),
        **P.values(TerrilVisit),
    )
    record = campaign_record_create(
        campaign=campaign,
        user=coordinator,
        group=GroupCode.AMPHIBIANS,
        taxon=taxa["toad"],
        date=dt.date(YEAR, 4, 14),
        geom=_point(terril_xy),
        count=3,
        observers=[observer],
        comment=P.text(),
    )
    rows.add(terril, campaign, terril_visit, record)

    # Drift fence: fence on a wetland site → morning check → count.
    fence_site = site("barrière-piège (site)", Site.Kind.MARE)
    fence = DriftFence.objects.create(
        site=fence_site, first_year=YEAR - 2, dataset=public, **P.values(DriftFence)
    )
    check = fence_check_save(
        user=coordinator,
        fence=fence,
        fields={
            "date": dt.date(YEAR, 3, 6),
            "temperature_c": Decimal("7.5"),
            **P.values(FenceCheck),
        },
        counts=[{"taxon": taxa["newt"], "sex": "male", "alive": True, "count": 2}],
    )
    rows.add(fence_site, fence, check, *check.counts.all())

    # Ringing: station on B's ringing site, B's ringer and rings, a session, a capture.
    station_site = site("station de baguage (site)", Site.Kind.MARAIS)
    station = Station.objects.create(site=station_site, **P.values(Station))
    ringer = Ringer.objects.create(
        person=ringer_person,
        valid_from=dt.date(YEAR - 5, 1, 1),
        valid_until=dt.date(YEAR + 5, 12, 31),
        **P.values(Ringer),
    )
    prefix = _unused(
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
        **P.values(RingSeries),
    )
    ringing_programme = RingingProgramme.objects.create(
        programme=ProgrammeFactory(
            code=f"SENTINELLE-STOC-{tag}",
            name=f"STOC Sentinelle {tag}",
            coordinator=organisation,
        ),
        kind=RingingProgramme.Kind.STOC,
    )
    session = session_save(
        user=coordinator,
        fields={
            "station": station,
            "programme": ringing_programme,
            "dataset": public,
            "date": dt.date(YEAR, 6, 14),
            "start_time": dt.time(6, 0),
            "end_time": dt.time(12, 0),
            "nets_count": 10,
            "nets_length_m": Decimal("120"),
            **P.values(Session),
        },
        ringers=[ringer],
    )
    capture, _warnings = capture_save(
        session=session,
        user=coordinator,
        fields={
            "action": Capture.Action.RINGED,
            "ring_number": f"{prefix}1",
            "taxon": taxa["bird"],
            "age": "3",
            "time": dt.time(7, 30),
            **P.values(Capture),
        },
    )
    rows.add(station_site, station, ringer, series)
    rows.add(ringing_programme.programme, ringing_programme, session, capture)

    # Citizen science: B's open campaign, a report submitted and confirmed.
    outreach = OutreachCampaign.objects.create(
        slug=f"sentinelle-{tag.lower()}",
        title=f"Sentinelles des mares {tag}",
        programme=programme,
        dataset=public,
        organisation=organisation,
        date_start=dt.date(YEAR - 1, 3, 1),
        is_open=True,
    )
    species = CampaignSpecies.objects.create(
        campaign=outreach, taxon=taxa["toad"], common_name="Crapaud des arcanes"
    )
    report_xy = place("signalement participatif")
    report = report_submit(
        species=species,
        observed_on=dt.date(YEAR, 4, 2),
        geom=_point(report_xy),
        precision_m=10,
        count=2,
        # Re-encoded as the public form does (sensibilisation.forms.ReportForm).
        photo_jpeg=photo_clean(
            SimpleUploadedFile(
                "jardin.jpg", belly_image("RP", tag), content_type="image/jpeg"
            )
        ),
        site_url=SITE_URL,
        **P.values(Report),
    )
    report = report_confirm(token=report_confirmation_token(report), site_url=SITE_URL)
    rows.add(outreach, species, report)

    # Every occurrence published, validated with its own comment.
    published = [
        *plain,
        *(line.occurrence for line in passage.observations.all()),
        *(count.occurrence for count in visit.counts.all()),
        record.occurrence,
        *(count.occurrence for count in check.counts.all()),
        capture.occurrence,
        report.occurrence,
    ]
    for occurrence in published:
        occurrences_validate(
            occurrences=[occurrence], validator=coordinator, status=1, comment=P.text()
        )
    ids = [occurrence.pk for occurrence in published]
    occurrences_refresh_derived(ids=ids)
    occurrences = list(Occurrence.objects.filter(pk__in=ids).order_by("pk"))
    rows.add(*occurrences)
    rows.add(*Validation.objects.filter(occurrence_id__in=ids).order_by("pk"))
    rows.add(*OccurrenceChange.objects.filter(occurrence_id__in=ids).order_by("pk"))

    # Markers: claimed where planted, then completed so that each field has its own.
    fresh = (Occurrence, Validation, OccurrenceChange)  # just read
    for obj in rows:
        fields = [f.attname for f in planted_fields(type(obj))]
        if fields and not isinstance(obj, fresh):
            obj.refresh_from_db(fields=fields)
        P.claim(obj)
    for obj in rows:
        P.complete(obj)
    if P.pending:
        raise RuntimeError(f"markers planted nowhere: {sorted(P.pending)}")
    markers = _with_exposure(P.markers, occurrences)

    objects = dict(rows.by_model)
    return Canaries(
        organisation=organisation,
        coordinator=coordinator,
        public_datasets=[public],
        private_dataset=private,
        taxa=by_level,
        rules=rules,
        year=YEAR,
        markers=markers,
        points=list(labels),
        point_labels=labels,
        objects=objects,
        tables=[model._meta.db_table for model in objects],
    )


def _with_exposure(
    markers: dict[str, MarkerInfo], occurrences: list[Occurrence]
) -> dict[str, MarkerInfo]:
    """Mark "blurred" the markers a reader without clearance reads on a public record of
    sensitivity 1–3 (fields the blurring keeps, observers and determiner): all others
    are "hidden"."""
    kept = [
        f.attname
        for f in free_text_fields(Occurrence)
        if f.attname not in BLANKED and f.name not in BLANKED
    ]
    readable = []
    for occurrence in occurrences:
        if occurrence.dataset.is_public and 1 <= occurrence.sensitivity_level <= 3:
            readable.extend(getattr(occurrence, name) for name in kept)
            readable.extend(str(person) for person in occurrence.observers.all())
            if occurrence.determiner_id:
                readable.append(str(occurrence.determiner))
    text = "\n".join(readable)
    return {
        marker: dataclasses.replace(
            info, exposure=BLURRED if marker in text else HIDDEN
        )
        for marker, info in markers.items()
    }
