"""The terril registry as an OGC API – Features collection (``/ogc/collections/terrils``).

Read as the REST API's ``/api/v1/terrils/``: the registry is public knowledge, read by
every signed-in user; it carries no record (scores and species lists, which depend on the
reader, stay on the terril pages and the API)."""

from cpie_naturaliste.core.ogc.collections import Collection, Property, choice_label
from referentiel.permissions import signed_in
from terrils.models import Terril


def terrils_read(user):
    return Terril.objects.all()


COLLECTIONS = (
    Collection(
        id="terrils",
        title="Terrils",
        description="Registre des terrils du bassin minier (emprises).",
        rows=terrils_read,
        readable=signed_in,
        geometry_type="MultiPolygon",
        keywords=("terrils", "bassin minier"),
        properties=(
            Property("number", "string", "Numéro"),
            Property("name", "string", "Nom"),
            Property("shape", "string", "Forme"),
            Property(
                "shape_label",
                "string",
                "Forme (libellé)",
                lambda queryset: choice_label("shape", Terril.Shape.choices),
            ),
            Property("surface_ha", "number", "Surface (ha)"),
            Property("height_m", "integer", "Hauteur (m)"),
            Property("owner", "string", "Propriétaire", "owner__name"),
            Property("manager", "string", "Gestionnaire", "manager__name"),
            Property(
                "public_access",
                "string",
                "Accès du public",
                lambda queryset: choice_label("public_access", Terril.Access.choices),
            ),
            Property("activities", "string", "Activités"),
            Property("site", "integer", "Site du référentiel", "site_id"),
        ),
    ),
)
