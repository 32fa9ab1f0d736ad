"""The referential's sites as an OGC API – Features collection (``/ogc/collections/sites``).

Read as the REST API's ``/api/v1/sites/`` reads them (``Site.objects.visible_to``): public
sites for everybody, anonymous visitors included; a protected site only for the
organisation that manages it, the organisations that survey it and the network's roles.
"""

from cpie_naturaliste.core.ogc.collections import Collection, Property, choice_label
from referentiel.models import Site


def sites_read(user):
    return Site.objects.visible_to(user)


COLLECTIONS = (
    Collection(
        id="sites",
        title="Sites",
        description=(
            "Sites suivis ou gérés par le réseau (terrils, zones humides, jardins, "
            "gîtes…). Les sites publics pour tous ; un site protégé seulement pour "
            "l'organisme qui le gère ou le suit."
        ),
        rows=sites_read,
        keywords=("sites", "référentiel"),
        properties=(
            Property("name", "string", "Nom"),
            Property("code", "string", "Code"),
            Property("kind", "string", "Type"),
            Property(
                "kind_label",
                "string",
                "Type (libellé)",
                lambda queryset: choice_label("kind", Site.Kind.choices),
            ),
            Property("manager", "string", "Gestionnaire", "manager__name"),
            Property("parent", "integer", "Site parent", "parent_id"),
            Property("is_public", "boolean", "Visible du public"),
        ),
    ),
)
