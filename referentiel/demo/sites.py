"""Demo sites: the terrils, wetlands, ringing stations and plots of the 2020 activity report,
listed in ``data/sites.csv``.

Each site is placed in its real commune (INSEE code): at the commune's point on surface,
shifted by a few hundred metres so that neighbours do not overlap, or on the border of its
first two communes when it straddles them (the bac à schlamms of Dourges and
Hénin-Beaumont). The shapes are schematic; the communes are exact.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, LineString, Point

from referentiel.models import Commune, Organisation, Site
from referentiel.services.territories import site_refresh_communes, site_save

from .upsert import same_value

DATA = Path(__file__).resolve().parent / "data" / "sites.csv"


@dataclass(frozen=True)
class SiteSpec:
    """One row of ``data/sites.csv``."""

    name: str
    kind: str
    communes: tuple[str, ...]  # INSEE codes
    shape: str = (
        "polygon"  # "point", "polygon" (radius ``size``) or "line" (``size`` long)
    )
    size: float = 150.0
    offset: tuple[float, float] = (
        0.0,
        0.0,
    )  # metres from the commune's point on surface
    code: str = ""
    manager: str = ""  # organisation name
    parent: str = ""  # name of a site listed before
    is_public: bool = True
    description: str = ""


def read_sites(path: Path = DATA) -> tuple[SiteSpec, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            SiteSpec(
                name=row["name"],
                kind=Site.Kind(row["kind"]),
                communes=tuple(row["communes"].split()),
                shape=row["shape"],
                size=float(row["size"]),
                offset=(float(row["offset_x"]), float(row["offset_y"])),
                code=row["code"],
                manager=row["manager"],
                parent=row["parent"],
                is_public=row["is_public"] == "oui",
                description=row["description"],
            )
            for row in csv.DictReader(handle, delimiter=";")
        )


SITES = read_sites()


def _anchor(spec: SiteSpec, communes: dict[str, Commune]) -> Point:
    """A point inside the site's first commune (or on the border of its first two)."""
    first = communes[spec.communes[0]].geom
    if len(spec.communes) > 1:
        border = first.boundary.intersection(communes[spec.communes[1]].geom.boundary)
        if not border.empty:
            return border.point_on_surface
    base = first.point_on_surface
    # Shift by the offset, or by less of it, as long as the point stays in the commune.
    for factor in (1.0, 0.5, 0.25):
        point = Point(
            base.x + spec.offset[0] * factor,
            base.y + spec.offset[1] * factor,
            srid=settings.SRID,
        )
        if first.contains(point):
            return point
    return base


def site_geometry(spec: SiteSpec, communes: dict[str, Commune]) -> GEOSGeometry:
    """The schematic Lambert-93 geometry of a demo site (deterministic)."""
    point = _anchor(spec, communes)
    x, y = round(point.x, 1), round(point.y, 1)
    if spec.shape == "point":
        return Point(x, y, srid=settings.SRID)
    if spec.shape == "line":
        size = spec.size
        return LineString(
            (x - size / 2, y - size / 6),
            (x, y + size / 8),
            (x + size / 2, y),
            srid=settings.SRID,
        )
    # A 12-sided "round" footprint: enough for a terril or a pond at map scale.
    polygon = Point(x, y, srid=settings.SRID).buffer(spec.size, quadsegs=3)
    polygon.srid = settings.SRID
    return polygon


def sites_upsert(*, organisations: dict[str, Organisation]) -> dict[str, Site]:
    """Create or update the demo sites through ``site_save`` (which computes the communes);
    an unchanged site is not saved again. Returns the sites by name."""
    insee_codes = {code for spec in SITES for code in spec.communes}
    communes = Commune.objects.in_bulk(insee_codes)
    missing = insee_codes - set(communes)
    if missing:
        raise LookupError(
            "Communes absentes du référentiel (importez les communes d'abord) : "
            + ", ".join(sorted(missing))
        )
    sites: dict[str, Site] = {}
    for spec in SITES:
        values = {
            "code": spec.code,
            "kind": spec.kind,
            "geom": site_geometry(spec, communes),
            "manager": organisations[spec.manager] if spec.manager else None,
            "parent": sites[spec.parent] if spec.parent else None,
            "is_public": spec.is_public,
            "description": spec.description,
        }
        site = Site.objects.filter(name=spec.name).first()
        if site is None:
            site = Site(name=spec.name)
            changed = True
        else:
            changed = not all(
                same_value(getattr(site, field), value)
                for field, value in values.items()
            )
        if changed:
            for field, value in values.items():
                setattr(site, field, value)
            site_save(site=site)
        elif not site.communes.exists():
            # Communes re-imported since the site was saved: link them again.
            site_refresh_communes(site=site)
        sites[spec.name] = site
    return sites


# The CPIE's working area in the demo: the communes within this distance of its sites.
TERRITORY_MARGIN_M = 3000


def territory_upsert(*, organisation: Organisation, sites: dict[str, Site]) -> int:
    """The organisation's territory (referentiel.Organisation.territory_communes): the
    communes touching or near its demo sites, the heart of the mining basin it works in.
    Returns the number of communes."""
    around = GeometryCollection(
        *(site.geom for site in sites.values()), srid=settings.SRID
    )
    wanted = list(
        Commune.objects.filter(geom__dwithin=(around, TERRITORY_MARGIN_M)).only("pk")
    )
    if set(organisation.territory_communes.values_list("pk", flat=True)) != {
        c.pk for c in wanted
    }:
        organisation.territory_communes.set(wanted)
    return len(wanted)
