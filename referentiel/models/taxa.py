"""TAXREF taxa, their regional status and the regional atlas groups they count for."""

import re

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.text import normalize_search


class AtlasGroup(models.Model):
    """A regional atlas (oiseaux, odonates, flore…): the taxa it counts are set by its rules."""

    class Kingdom(models.TextChoices):
        FAUNE = "faune", _("Faune")
        FLORE = "flore", _("Flore")
        FONGE = "fonge", _("Fonge")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    kingdom = models.CharField(
        _("règne"), max_length=10, choices=Kingdom.choices, default=Kingdom.FAUNE
    )
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)

    class Meta:
        verbose_name = _("groupe d'atlas")
        verbose_name_plural = _("groupes d'atlas")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AtlasGroupRule(models.Model):
    """ "A taxon whose <rank field> equals <value> counts for <group>"; lowest priority wins."""

    class Field(models.TextChoices):
        KINGDOM = "kingdom", _("Règne")
        PHYLUM = "phylum", _("Embranchement")
        CLASS = "class_name", _("Classe")
        ORDER = "order_name", _("Ordre")
        FAMILY = "family", _("Famille")
        GROUP1 = "group1_inpn", _("Groupe 1 INPN")
        GROUP2 = "group2_inpn", _("Groupe 2 INPN")
        GROUP3 = "group3_inpn", _("Groupe 3 INPN")

    group = models.ForeignKey(
        AtlasGroup,
        verbose_name=_("groupe"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    field = models.CharField(_("champ TAXREF"), max_length=20, choices=Field.choices)
    value = models.CharField(_("valeur"), max_length=100)
    priority = models.PositiveSmallIntegerField(
        _("priorité"),
        default=100,
        help_text=_("La règle de plus petite priorité s'applique en premier."),
    )

    class Meta:
        verbose_name = _("règle de groupe d'atlas")
        verbose_name_plural = _("règles de groupe d'atlas")
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "value"], name="atlas_rule_field_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} = {self.value} → {self.group}"


# What separates words in ``search_text`` (build_search_text). Naming the separators, rather
# than "anything but a letter", lets pg_trgm extract the word-start trigrams from the regex.
SEARCH_WORD_START = r"(^|[ |,'().-])"


# The search's rank order (TAXREF rank codes): species, the ranks below them, genera and
# the ranks between genus and species; any higher rank comes last.
RANK_CLASSES = (
    ("ES",),
    ("SSES", "NAT", "VAR", "SVAR", "FO", "SSFO", "RACE", "CAR", "CVAR", "AB", "MO"),
    ("GN", "SSGN", "SC", "SSC", "SER", "SSER", "AGES"),
)
# Shorter words are too short for trigram similarity to mean anything.
TYPO_MIN_LETTERS = 3


def descendant_refs_sql(root: str) -> str:
    """SQL selecting the cd_ref ``root`` (an SQL expression) and the valid names below it,
    following TAXREF's ``cd_sup`` links; shared by taxon filters and sensitivity rules."""
    table = Taxon._meta.db_table
    return (
        f"WITH RECURSIVE tree(cd_nom) AS (SELECT {root} UNION"
        f" SELECT t.cd_nom FROM {table} t JOIN tree ON t.cd_sup = tree.cd_nom"
        f" WHERE t.cd_nom = t.cd_ref) SELECT cd_nom FROM tree"
    )


class TaxonQuerySet(models.QuerySet):
    def valid(self) -> "TaxonQuerySet":
        return self.filter(cd_nom=models.F("cd_ref"))

    def descendant_refs(self, cd_ref: int) -> list[int]:
        """``cd_ref`` and the valid names below it, following TAXREF's ``cd_sup`` links."""
        with connection.cursor() as cursor:
            cursor.execute(descendant_refs_sql("%s::integer"), [cd_ref])
            return [row[0] for row in cursor.fetchall()]

    def search(self, term: str, *, typos: bool = False) -> "TaxonQuerySet":
        """Names in which every word of ``term`` starts a word (accents and case ignored).

        Valid names first, species before the ranks below them and these before genera and
        higher ranks (who types "crapaud" means Bufo bufo before the genus Bufo), then names
        whose scientific or a vernacular name starts with the whole term, then the shortest.
        Word starts rather than substrings: "merl" finds "Turdus merula" and "Merle noir" but
        "erle" finds nothing, as people type names; and the trigram index then answers with
        the padded word-start trigrams of pg_trgm, which halves the rows to rank for a
        short, common term.

        ``typos``: a word of 3 letters or more may also be close to a word of the name
        (pg_trgm's word similarity, 0.6 by default: "crapau comun" finds "Crapaud commun").
        Names matched word for word still come first, the closest of the others next."""
        text = normalize_search(term)
        words = [word for word in re.split(r"[\W_]+", text) if word]
        if not words:
            return self.none()
        exact = models.Q()
        near = models.Q()
        for word in words:
            starts_word = models.Q(
                search_text__regex=SEARCH_WORD_START + re.escape(word)
            )
            exact &= starts_word
            if len(word) >= TYPO_MIN_LETTERS:
                near &= starts_word | models.Q(search_text__trigram_word_similar=word)
            else:
                near &= starts_word
        qs = self.filter(near if typos else exact)
        order = ["-is_valid", "rank_class", "starts", "name_length"]
        if typos:
            qs = qs.annotate(
                exact=models.Case(
                    models.When(exact, then=0),
                    default=1,
                    output_field=models.IntegerField(),
                ),
            )
            closeness = sum(
                (TrigramWordSimilarity(word, "search_text") for word in words[1:]),
                start=TrigramWordSimilarity(words[0], "search_text"),
            )
            qs = qs.annotate(
                # The closest first among the near names; the exact ones tie here.
                distance=models.Case(
                    models.When(exact=0, then=models.Value(0.0)),
                    default=-closeness,
                    output_field=models.FloatField(),
                ),
            )
            order = ["exact", "-is_valid", "distance", *order[1:]]
        return qs.annotate(
            rank_class=models.Case(
                *(
                    models.When(rank__in=ranks, then=position)
                    for position, ranks in enumerate(RANK_CLASSES)
                ),
                default=len(RANK_CLASSES),
                output_field=models.IntegerField(),
            ),
            starts=models.Case(
                models.When(
                    models.Q(search_text__startswith=text)
                    | models.Q(search_text__contains=f"|{text}")
                    | models.Q(search_text__contains=f", {text}"),
                    then=0,
                ),
                default=1,
                output_field=models.IntegerField(),
            ),
            name_length=models.functions.Length("scientific_name"),
        ).order_by(*order, "scientific_name", "cd_nom")


class Taxon(models.Model):
    """One TAXREF name. ``cd_ref`` is the cd_nom of the valid name (itself for a valid name)."""

    cd_nom = models.IntegerField(_("cd_nom"), primary_key=True)
    cd_ref = models.IntegerField(_("cd_ref (nom valide)"), db_index=True)
    cd_sup = models.IntegerField(
        _("cd_sup (taxon supérieur)"), null=True, blank=True, db_index=True
    )
    cd_taxsup = models.IntegerField(_("cd_taxsup"), null=True, blank=True)
    rank = models.CharField(_("rang"), max_length=10, blank=True)
    scientific_name = models.CharField(_("nom scientifique"), max_length=500)
    author = models.CharField(_("auteur"), max_length=500, blank=True)
    full_name = models.CharField(_("nom complet"), max_length=1000, blank=True)
    valid_name = models.CharField(_("nom valide"), max_length=1000, blank=True)
    vernacular_name = models.TextField(_("nom vernaculaire"), blank=True)
    vernacular_name_en = models.TextField(_("nom vernaculaire anglais"), blank=True)
    kingdom = models.CharField(_("règne"), max_length=100, blank=True)
    phylum = models.CharField(_("embranchement"), max_length=100, blank=True)
    class_name = models.CharField(_("classe"), max_length=100, blank=True)
    order_name = models.CharField(_("ordre"), max_length=100, blank=True)
    family = models.CharField(_("famille"), max_length=100, blank=True)
    subfamily = models.CharField(_("sous-famille"), max_length=100, blank=True)
    tribe = models.CharField(_("tribu"), max_length=100, blank=True)
    group1_inpn = models.CharField(_("groupe 1 INPN"), max_length=100, blank=True)
    group2_inpn = models.CharField(_("groupe 2 INPN"), max_length=100, blank=True)
    group3_inpn = models.CharField(_("groupe 3 INPN"), max_length=100, blank=True)
    habitat = models.CharField(_("habitat"), max_length=5, blank=True)
    fr_status = models.CharField(_("statut en métropole"), max_length=5, blank=True)
    taxref_version = models.CharField(_("version TAXREF"), max_length=10, blank=True)
    atlas_group = models.ForeignKey(
        AtlasGroup,
        verbose_name=_("groupe d'atlas"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taxa",
    )
    # Lower-case, unaccented "scientific name|vernacular names", filled by the services.
    search_text = models.TextField(_("texte de recherche"), blank=True, editable=False)
    is_valid = models.GeneratedField(
        expression=models.Q(cd_nom=models.F("cd_ref")),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("nom valide"),
    )

    objects = TaxonQuerySet.as_manager()

    class Meta:
        verbose_name = _("taxon")
        verbose_name_plural = _("taxons")
        ordering = ["scientific_name"]
        indexes = [
            GinIndex(
                OpClass("search_text", name="gin_trgm_ops"), name="taxon_search_trgm"
            ),
            # Names of a file matched to TAXREF (services/taxon_names.py).
            models.Index(
                models.functions.Lower("scientific_name"), name="taxon_name_lower"
            ),
        ]

    def __str__(self) -> str:
        if self.vernacular_name:
            return (
                f"{self.scientific_name} ({self.vernacular_name.split(',')[0].strip()})"
            )
        return self.scientific_name


def build_search_text(scientific_name: str, vernacular_name: str) -> str:
    return normalize_search(f"{scientific_name}|{vernacular_name}")


class Rarity(models.TextChoices):
    E = "E", _("Exceptionnel")
    RR = "RR", _("Très rare")
    R = "R", _("Rare")
    AR = "AR", _("Assez rare")
    PC = "PC", _("Peu commun")
    AC = "AC", _("Assez commun")
    C = "C", _("Commun")
    CC = "CC", _("Très commun")


class RedList(models.TextChoices):
    RE = "RE", _("Disparu au niveau régional")
    CR = "CR", _("En danger critique")
    EN = "EN", _("En danger")
    VU = "VU", _("Vulnérable")
    NT = "NT", _("Quasi menacé")
    LC = "LC", _("Préoccupation mineure")
    DD = "DD", _("Données insuffisantes")
    NA = "NA", _("Non applicable")
    NE = "NE", _("Non évalué")


# A rare or threatened taxon of the region: the "rare or threatened species" of the
# remarkable finds (indicateurs.finds), never drawn at random by the demo.
RARE_RARITIES = (Rarity.E, Rarity.RR, Rarity.R)
THREATENED_RED_LISTS = (RedList.CR, RedList.EN, RedList.VU)


class TaxonStatus(models.Model):
    """Regional status of a taxon (Hauts-de-France)."""

    taxon = models.OneToOneField(
        Taxon,
        verbose_name=_("taxon"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="status",
    )
    rarity = models.CharField(
        _("indice de rareté"), max_length=2, choices=Rarity.choices, blank=True
    )
    red_list = models.CharField(
        _("liste rouge régionale"), max_length=2, choices=RedList.choices, blank=True
    )
    protection = models.CharField(_("protection"), max_length=200, blank=True)
    is_protected = models.BooleanField(_("protégé"), default=False)
    is_patrimonial = models.BooleanField(_("patrimonial"), default=False)
    is_invasive = models.BooleanField(_("exotique envahissant (EEE)"), default=False)
    is_znieff_determinant = models.BooleanField(_("déterminant ZNIEFF"), default=False)
    sensitivity_level = models.PositiveSmallIntegerField(
        _("niveau de sensibilité SINP"),
        default=0,
        choices=[(i, str(i)) for i in range(5)],
    )

    class Meta:
        verbose_name = _("statut régional")
        verbose_name_plural = _("statuts régionaux")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sensitivity_level__lte=4),
                name="taxon_status_sensitivity_0_4",
            )
        ]

    def __str__(self) -> str:
        return f"Statut de {self.taxon}"

    @classmethod
    def rare_or_threatened_q(cls, prefix: str = "") -> models.Q:
        """Rarity E, RR or R, or red-listed CR, EN or VU (``prefix``: the path to the
        status from the queried model, e.g. ``taxon__status__``)."""
        return models.Q(**{f"{prefix}rarity__in": RARE_RARITIES}) | models.Q(
            **{f"{prefix}red_list__in": THREATENED_RED_LISTS}
        )
