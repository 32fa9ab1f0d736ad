"""Fields derived from the geometry and the taxon, computed in SQL for one record or a million.

communes (every commune the geometry touches, the main one first), département, 10 km INPN
grid cell of the point on surface, atlas group of the taxon, and the sensitivity level with its
diffusion precision (sensitivity 0 → 5 "précise", 1–4 → same level, as GeoNature does).
"""

from django.db import connection

from observations.models import Occurrence
from referentiel.models import Commune, Taxon, TaxonStatus

_SQL = """
WITH base AS (
    SELECT o.id, o.geom, ST_PointOnSurface(o.geom) AS p, t.atlas_group_id,
           COALESCE((SELECT max(s.sensitivity_level) FROM {status} s
                     WHERE s.taxon_id IN (t.cd_nom, t.cd_ref)), 0) AS sens
    FROM {occ} o JOIN {taxon} t ON t.cd_nom = o.taxon_id
    WHERE {where}
), located AS (
    SELECT b.*,
           (SELECT c.insee FROM {commune} c WHERE ST_Intersects(c.geom, b.p) LIMIT 1) AS main
    FROM base b
), derived AS (
    SELECT l.id, l.main, l.atlas_group_id, l.sens,
           (SELECT c.departement_id FROM {commune} c WHERE c.insee = l.main) AS dep,
           COALESCE((SELECT array_agg(c.insee ORDER BY c.insee <> l.main, c.insee)
                     FROM {commune} c WHERE ST_Intersects(c.geom, l.geom)), '{{}}') AS codes,
           '10kmL93E' || lpad(floor(ST_X(l.p) / 10000)::int::text, 3, '0')
             || 'N' || lpad(floor(ST_Y(l.p) / 10000)::int::text, 3, '0') AS grid
    FROM located l
)
UPDATE {occ} o SET communes = d.codes, commune_id = d.main, departement_id = d.dep,
       grid_10km = d.grid, atlas_group_id = d.atlas_group_id, sensitivity_level = d.sens,
       diffusion_level = CASE WHEN d.sens = 0 THEN 5 ELSE d.sens END
FROM derived d WHERE o.id = d.id
"""


def _run(where: str, params: list) -> int:
    sql = _SQL.format(
        occ=Occurrence._meta.db_table,
        taxon=Taxon._meta.db_table,
        status=TaxonStatus._meta.db_table,
        commune=Commune._meta.db_table,
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def occurrences_refresh_derived(
    *, ids: list[int] | None = None, batch_id: int | None = None
) -> int:
    """Recompute the derived fields of the given occurrences, of an import batch, or of all."""
    if ids is not None:
        return _run("o.id = ANY(%s)", [list(ids)]) if ids else 0
    if batch_id is not None:
        return _run("o.import_batch_id = %s", [batch_id])
    return _run("TRUE", [])
