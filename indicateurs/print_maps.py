"""The maps of the printable report: SVG drawn on the server from the PostGIS geometries,
so the report prints with no tile server and no network (issue 22, point 4).

One map per action where places matter:

- Action 1 — the year's records (those the report's data figures count, as the reader may
  see them: blurred records by their blurred area) per 10 km cell of the Lambert-93 grid
  (INPN ``10kmL93``, the dashboard's map), over the structure's territory and the
  départements;
- Action 2 — the POP Amphibian aires surveyed in the year (shaded by their records) and the
  wetland sites with records of the year.

Coordinates stay in Lambert-93 metres (``settings.SRID``): ``ST_AsSVG`` writes ``y``
negated, so the view box is ``xmin -ymax width height``. Geometries are simplified to
about a pixel of the printed map before they leave the database.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.db.models import Extent, GeometryField, Union
from django.contrib.gis.db.models.functions import AsSVG, PointOnSurface
from django.contrib.gis.geos import Polygon
from django.db.models import Count, FloatField, Func, IntegerField
from django.db.models.functions import Cast, Floor
from django.utils.formats import number_format

from indicateurs.selectors import report_occurrences
from observations.blurring import display_geom
from observations.models import Occurrence
from referentiel.models import Departement
from zones_humides.selectors.pop import aires_readable
from zones_humides.selectors.sites import wetland_sites

CELL = 10_000  # metres: the INPN 10 km grid
# The printed map is about 17 cm wide: a simplification of 1/800 of its extent is under a
# tenth of a millimetre on paper.
DETAIL = 800
SHADES = ("#e5f0df", "#b9d6ac", "#83b474", "#4f8f45", "#2e6b3f", "#174225")


class Simplified(Func):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=settings.SRID)


class Coordinate(Func):
    output_field = FloatField()


@dataclass
class Shape:
    path: str  # SVG path data (ST_AsSVG, absolute, whole metres)
    fill: str = "none"
    label: str = ""  # the title read by a screen reader and shown on hover


@dataclass
class PrintMap:
    """An SVG map: its view box, its layers (bottom first) and its legend."""

    title: str
    description: str
    view_box: str = "0 0 1 1"
    font_size: float = 1000
    outline: list[Shape] = field(default_factory=list)
    context: list[Shape] = field(default_factory=list)
    areas: list[Shape] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)  # {x, y, r, label}
    labels: list[dict] = field(default_factory=list)  # {x, y, text}
    legend: list[dict] = field(default_factory=list)  # {colour, text}

    @property
    def empty(self) -> bool:
        return not (self.areas or self.points)


def _extent(*envelopes) -> tuple[float, float, float, float] | None:
    boxes = [e for e in envelopes if e is not None]
    if not boxes:
        return None
    xmin = min(b[0] for b in boxes)
    ymin = min(b[1] for b in boxes)
    xmax = max(b[2] for b in boxes)
    ymax = max(b[3] for b in boxes)
    pad = max(xmax - xmin, ymax - ymin, CELL) * 0.04
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def _frame(box, drawn: PrintMap) -> float:
    """Set the view box; returns the simplification tolerance in metres."""
    xmin, ymin, xmax, ymax = box
    width, height = xmax - xmin, ymax - ymin
    drawn.view_box = f"{xmin:.0f} {-ymax:.0f} {width:.0f} {height:.0f}"
    drawn.font_size = round(max(width, height) / 55)
    return max(width, height) / DETAIL


def _in_year(records, year: int):
    return records.presences().filter(
        date_start__gte=dt.date(year, 1, 1), date_start__lt=dt.date(year + 1, 1, 1)
    )


def _path(geometry) -> str:
    """SVG path data of a (multi)polygon, y negated as ST_AsSVG writes it."""
    polygons = geometry if geometry.geom_type == "MultiPolygon" else [geometry]
    return " ".join(
        "M " + " L ".join(f"{x:.0f} {-y:.0f}" for x, y in ring.coords) + " Z"
        for polygon in polygons
        for ring in polygon
    )


def _svg(queryset, geometry: str, tolerance: float):
    return queryset.annotate(
        svg=AsSVG(Simplified(geometry, tolerance), relative=False, precision=0)
    )


def _classes(counts: list[int]) -> tuple[list[int], list[dict]]:
    """Up to six classes on a log scale (as the dashboard's map): the bounds, and the
    legend of the classes that hold a value."""
    top = max(counts, default=0)
    if top <= 0:
        return [], []
    bounds, value = [], 1
    while value < top and len(bounds) < len(SHADES) - 1:
        bounds.append(value)
        value = value * 5 if len(bounds) % 2 else value * 2
    bounds.append(top)
    used = {_shade(count, bounds) for count in counts}
    legend, low = [], 1
    for index, high in enumerate(bounds):
        if SHADES[index] in used:
            text = (
                number_format(low, force_grouping=True)
                if low == high
                else f"{number_format(low, force_grouping=True)} à "
                f"{number_format(high, force_grouping=True)}"
            )
            unit = "donnée" if high == 1 else "données"
            legend.append({"colour": SHADES[index], "text": f"{text} {unit}"})
        low = high + 1
    return bounds, legend


def _shade(count: int, bounds: list[int]) -> str:
    for index, high in enumerate(bounds):
        if count <= high:
            return SHADES[index]
    return SHADES[-1]


def _territory(organisation, tolerance: float) -> list[Shape]:
    if organisation is None:
        return []
    outline = organisation.territory_communes.aggregate(area=Union("geom"))["area"]
    if outline is None:
        return []
    simplified = outline.simplify(tolerance, preserve_topology=True)
    return [Shape(path=_path(simplified), label=f"Territoire de {organisation.name}")]


def _departements(box, tolerance: float) -> list[Shape]:
    area = Polygon.from_bbox(box)
    area.srid = settings.SRID
    return [
        Shape(path=d.svg, label=d.name)
        for d in _svg(
            Departement.objects.filter(geom__bboverlaps=area), "geom", tolerance
        ).only("code", "name")
    ]


def _territory_box(organisation):
    if organisation is None:
        return None
    return organisation.territory_communes.aggregate(box=Extent("geom"))["box"]


def records_map(year: int, user, organisation) -> PrintMap:
    """Action 1: the year's records per 10 km cell, over the territory."""
    records = _in_year(report_occurrences(user), year)
    place = PointOnSurface(display_geom(records))
    cells = list(
        records.annotate(
            cx=Cast(Floor(Coordinate(place, function="ST_X") / CELL), IntegerField()),
            cy=Cast(Floor(Coordinate(place, function="ST_Y") / CELL), IntegerField()),
        )
        .exclude(cx=None)
        .values("cx", "cy")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(c["n"] for c in cells)
    drawn = PrintMap(
        title=f"Données {year} par maille de 10 km",
        description=(
            f"{number_format(total, force_grouping=True)} données dans {len(cells)} maille{'s' if len(cells) > 1 else ''}"
            " de 10 km (grille Lambert-93 de l'INPN)"
            + (f", sur le territoire de {organisation.name}" if organisation else "")
            + "."
        ),
    )
    if not cells:
        return drawn
    cells_box = (
        min(c["cx"] for c in cells) * CELL,
        min(c["cy"] for c in cells) * CELL,
        (max(c["cx"] for c in cells) + 1) * CELL,
        (max(c["cy"] for c in cells) + 1) * CELL,
    )
    box = _extent(cells_box, _territory_box(organisation))
    tolerance = _frame(box, drawn)
    bounds, drawn.legend = _classes([c["n"] for c in cells])
    drawn.context = _departements(box, tolerance)
    drawn.outline = _territory(organisation, tolerance)
    for cell in sorted(cells, key=lambda c: (c["cx"], c["cy"])):
        x, y = cell["cx"] * CELL, cell["cy"] * CELL
        drawn.areas.append(
            Shape(
                path=f"M {x} {-y} h {CELL} v {-CELL} h {-CELL} z",
                fill=_shade(cell["n"], bounds),
                label=(
                    f"Maille 10kmL93E{cell['cx']:03d}N{cell['cy']:03d} : "
                    f"{number_format(cell['n'], force_grouping=True)} données"
                ),
            )
        )
    return drawn


def wetlands_map(year: int, user, organisation, per_aire: list[dict]) -> PrintMap:
    """Action 2: the aires surveyed (shaded by their POP records) and the wetland sites
    with records of the year."""
    records_of = {a["number"]: a["records"] for a in per_aire}
    aires = aires_readable(user).filter(number__in=records_of)
    sites = wetland_sites(user).filter(
        pk__in=_in_year(Occurrence.objects.visible_to(user), year).values("site_id")
    )
    boxes = [
        aires.aggregate(box=Extent("geom"))["box"],
        sites.aggregate(box=Extent("geom"))["box"],
    ]
    drawn = PrintMap(
        title=f"Zones humides suivies en {year}",
        description=(
            f"{len(records_of)} aire{'s' if len(records_of) > 1 else ''} POP Amphibien "
            f"prospectée{'s' if len(records_of) > 1 else ''} (numérotées, teinte selon "
            f"leurs données) et {sites.count()} site{'s' if sites.count() > 1 else ''} "
            "de zone humide avec des données de l'année (points)."
        ),
    )
    box = _extent(*boxes)
    if box is None:
        return drawn
    tolerance = _frame(box, drawn)
    bounds, legend = _classes(list(records_of.values()))
    drawn.legend = [{**line, "text": f"aire POP : {line['text']}"} for line in legend]
    drawn.context = _departements(box, tolerance)
    drawn.outline = _territory(organisation, tolerance)
    for aire in _svg(aires, "geom", tolerance).annotate(
        cx=Coordinate(PointOnSurface("geom"), function="ST_X"),
        cy=Coordinate(PointOnSurface("geom"), function="ST_Y"),
    ):
        count = records_of.get(aire.number, 0)
        drawn.areas.append(
            Shape(
                path=aire.svg,
                fill=_shade(count, bounds),
                label=f"Aire {aire.number} – {aire.name} : {count} données",
            )
        )
        drawn.labels.append({"x": aire.cx, "y": -aire.cy, "text": str(aire.number)})
    radius = drawn.font_size / 3
    for site in sites.annotate(
        px=Coordinate(PointOnSurface("geom"), function="ST_X"),
        py=Coordinate(PointOnSurface("geom"), function="ST_Y"),
    ).only("name"):
        drawn.points.append(
            {"x": site.px, "y": -site.py, "r": radius, "label": site.name}
        )
    if drawn.points:
        drawn.legend.append({"colour": "#1f5f8b", "text": "site de zone humide"})
    return drawn
