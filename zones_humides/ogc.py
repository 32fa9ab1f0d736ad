"""POP Amphibien aires and wetland sites as OGC API – Features collections
(``/ogc/collections/pop-aires``, ``/ogc/collections/zones-humides``).

Read as the app's pages and REST API read them, for signed-in users: the aires
``selectors.pop.aires_visible_to`` gives (an aire holding a line the reader may not place
is left out: its 1 km cell would place the hidden record), the wetland sites
``selectors.sites.wetland_sites`` gives (a non-public site holding a record the reader may
not place is left out).
"""

from cpie_naturaliste.core.ogc.collections import Collection, Property, choice_label
from referentiel.models import Site
from referentiel.permissions import signed_in
from zones_humides.models import WetlandProfile
from zones_humides.models.pop import LandscapeCategory
from zones_humides.selectors.pop import aires_visible_to
from zones_humides.selectors.sites import wetland_sites

COLLECTIONS = (
    Collection(
        id="pop-aires",
        title="Aires POP Amphibien",
        description=(
            "Aires du protocole POP Amphibien que vous pouvez lire (jeux de données "
            "lisibles) ; une aire où une donnée vous est cachée n'est pas montrée."
        ),
        rows=aires_visible_to,
        readable=signed_in,
        geometry_type="MultiPolygon",
        keywords=("POP Amphibien", "amphibiens"),
        properties=(
            Property("number", "integer", "Numéro"),
            Property("name", "string", "Nom"),
            Property("grid_cell", "string", "Maille"),
            Property(
                "landscape_category",
                "string",
                "Catégorie paysagère",
                lambda queryset: choice_label(
                    "landscape_category", LandscapeCategory.choices
                ),
            ),
            Property("communes_label", "string", "Communes"),
            Property("first_year", "integer", "Première année"),
            Property("dataset", "uuid", "Jeu de données", "dataset__uuid"),
            Property(
                "dataset_title", "string", "Jeu de données (libellé)", "dataset__title"
            ),
        ),
    ),
    Collection(
        id="zones-humides",
        title="Zones humides",
        description=(
            "Sites de zones humides (fiche de zone humide ou type humide) que vous "
            "pouvez voir ; un site non public où une donnée vous est cachée n'est pas "
            "montré."
        ),
        rows=wetland_sites,
        readable=signed_in,
        keywords=("zones humides", "mares"),
        properties=(
            Property("name", "string", "Nom"),
            Property("code", "string", "Code"),
            Property(
                "kind",
                "string",
                "Type de site",
                lambda queryset: choice_label("kind", Site.Kind.choices),
            ),
            Property(
                "wetland_type",
                "string",
                "Type de zone humide",
                lambda queryset: choice_label(
                    "wetland_profile__wetland_type",
                    WetlandProfile.WetlandType.choices,
                ),
            ),
            Property(
                "status",
                "string",
                "Suivi",
                lambda queryset: choice_label(
                    "wetland_profile__status", WetlandProfile.Status.choices
                ),
            ),
            Property(
                "surface_m2", "integer", "Surface (m²)", "wetland_profile__surface_m2"
            ),
            Property("manager", "string", "Gestionnaire", "manager__name"),
            Property("is_public", "boolean", "Visible du public"),
        ),
    ),
)
