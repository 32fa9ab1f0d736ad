"""The canaries' markers and points (``tests/security/canaries.py`` plants them): the marker
strings and where each was planted, the fields that carry one, the canary points and the ways a
point can be written, and the small builders the plantings share."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import secrets
import string
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import Point
from django.db import models
from PIL import Image

from observations.models import Occurrence
from referentiel.models import (
    AtlasGroup,
    Dataset,
    Organisation,
    SensitivityRule,
    Taxon,
    User,
)
from tests.factories.referentiel import TaxonFactory

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
class PointSource:
    used: int = 0

    def next(self) -> tuple[float, float]:
        self.used += 1
        return CANARY_POINTS[self.used - 1]


class Planter:
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


class Rows:
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


def dedicated_taxon(cd_nom: int, name: str, group: str, **ranks) -> Taxon:
    return TaxonFactory(
        cd_nom=cd_nom,
        scientific_name=name,
        kingdom=ranks.pop("kingdom", "Animalia"),
        atlas_group=AtlasGroup.objects.filter(code=group).first(),
        **ranks,
    )


def unused_value(model, field: str, make) -> object:
    while True:
        value = make()
        if not model.objects.filter(**{field: value}).exists():
            return value


def l93_point(xy: tuple[float, float]) -> Point:
    return Point(*xy, srid=settings.SRID)


def _dms(value: float) -> tuple[float, float, float]:
    degrees, rest = divmod(abs(value) * 3600, 3600)
    minutes, seconds = divmod(rest, 60)
    return (degrees, minutes, round(seconds, 4))


def jpeg_with_exif(jpeg: bytes, marker: str, xy: tuple[float, float]) -> bytes:
    """``jpeg`` with an EXIF description (``marker``) and the GPS position of ``xy``."""
    wgs84 = l93_point(xy)
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
