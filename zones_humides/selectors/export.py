"""National POP Amphibien export: one row per site × passage × species, absences
included (the "analyses" export of the protocol's GeoNature module).

Each row gives its pond's point and its occurrence's SINP id: a row is written only when
the reader places its line, at a pond they see (``zones_humides.selectors.pop``); the page
offering the file says how many lines it leaves out. ``user=None`` writes every row
precisely, for the national coordinator (``manage.py export_pop``)."""

import csv
import io
from collections.abc import Iterator

from django.contrib.gis.geos import Point
from django.db.models import Prefetch, QuerySet

from cpie_naturaliste.core.geo import to_api_transform
from zones_humides.models import PassageObservation, PopAire, PopPassage
from zones_humides.selectors.pop import lines_shown_to, passages_visible_to

COLUMNS = [
    "aire_numero",
    "aire_nom",
    "maille",
    "categorie_paysagere",
    "site_code",
    "site_nom",
    "milieu_aquatique",
    "x_l93",
    "y_l93",
    "longitude",
    "latitude",
    "annee",
    "num_passage",
    "date",
    "heure_debut",
    "heure_fin",
    "observateurs",
    "expertise",
    "methodes_prospection",
    "accessible",
    "etat_site",
    "cd_nom",
    "nom_scientifique",
    "nom_vernaculaire",
    "presence",
    "type_denombrement",
    "nombre_min",
    "nombre_max",
    "stade_vie",
    "id_sinp_occtax",
]


def pop_export_rows(*, year: int, aires: QuerySet[PopAire], user) -> Iterator[list]:
    passages = PopPassage.objects.all() if user is None else passages_visible_to(user)
    lines = PassageObservation.objects.select_related("taxon", "occurrence")
    if user is not None:
        lines = lines_shown_to(user, lines)
    passages = (
        passages.filter(year=year, pop_site__aire__in=aires)
        .select_related("pop_site__aire")
        .prefetch_related("observers", Prefetch("observations", queryset=lines))
        .order_by("pop_site__aire__number", "pop_site__code", "number")
    )
    transform = to_api_transform()
    methods = dict(PopPassage.Method.choices)
    for passage in passages:
        site = passage.pop_site
        aire = site.aire
        wgs84: Point = site.geom.transform(transform, clone=True)
        head = [
            aire.number,
            aire.name,
            aire.grid_cell,
            aire.get_landscape_category_display(),
            site.code,
            site.name,
            site.get_habitat_display(),
            f"{site.geom.x:.1f}",
            f"{site.geom.y:.1f}",
            f"{wgs84.x:.6f}",
            f"{wgs84.y:.6f}",
            passage.year,
            passage.number,
            passage.date.isoformat(),
            passage.time_start.strftime("%H:%M") if passage.time_start else "",
            passage.time_end.strftime("%H:%M") if passage.time_end else "",
            ", ".join(
                f"{p.last_name.upper()} {p.first_name}".strip()
                for p in passage.observers.all()
            ),
            passage.get_expertise_display(),
            " | ".join(str(methods.get(m, m)) for m in passage.methods),
            "Oui" if passage.accessible else "Non",
            passage.get_site_state_display() if passage.site_state else "",
        ]
        for line in sorted(
            passage.observations.all(), key=lambda o: o.taxon.scientific_name
        ):
            yield head + [
                line.taxon.cd_nom,
                line.taxon.scientific_name,
                (line.taxon.vernacular_name or "").split(",")[0].strip(),
                "Oui" if line.present else "Non",
                line.count_type,
                line.count_min,
                line.count_max,
                line.life_stage,
                str(line.occurrence.uuid) if line.occurrence_id else "",
            ]


def pop_export_csv(*, year: int, aires: QuerySet[PopAire], user) -> str:
    """The export as CSV text (semicolons, UTF-8 with BOM for spreadsheets)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(pop_export_rows(year=year, aires=aires, user=user))
    return buffer.getvalue()
