"""People, organisations and user accounts with their role and scope (DESIGN §7)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel
from cpie_naturaliste.core.text import normalize_search


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        CPIE = "cpie", _("CPIE")
        ASSOCIATION = "association", _("Association")
        COLLECTIVITE = "collectivite", _("Collectivité")
        INTERCOMMUNALITE = "intercommunalite", _("Intercommunalité")
        ETAT = "etat", _("État et établissement public")
        ENTREPRISE = "entreprise", _("Entreprise")
        CHASSEURS = "chasseurs", _("Chasseurs")
        GESTIONNAIRE = "gestionnaire", _("Gestionnaire d'espaces naturels")
        RECHERCHE = "recherche", _("Recherche et enseignement")
        AGRICULTURE = "agriculture", _("Agriculture")
        AUTRE = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(_("sigle"), max_length=50, blank=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.ASSOCIATION
    )
    is_network_member = models.BooleanField(
        _("membre du réseau CPIE"),
        default=False,
        help_text=_("Structure du réseau des CPIE."),
    )
    website = models.URLField(_("site web"), blank=True)
    sensitivity_clearance = models.PositiveSmallIntegerField(
        _("données sensibles lues en précis jusqu'au niveau"),
        choices=[
            (0, _("0 – aucune : toute donnée sensible est floutée")),
            (1, _("1 – sensibles « commune »")),
            (2, _("2 – sensibles jusqu'à « maille 10 km »")),
            (3, _("3 – sensibles jusqu'à « département »")),
            (4, _("4 – toutes, même « aucune diffusion » (autorité publique)")),
        ],
        default=0,
        help_text=_(
            "Précision maximale accordée aux membres de l'organisme (convention "
            "d'échange) : une observation plus sensible leur est montrée à la commune, "
            "à la maille ou au département, ou pas du tout (niveau 4)."
        ),
    )
    default_dataset = models.ForeignKey(
        "referentiel.Dataset",
        verbose_name=_("jeu de données par défaut"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Proposé dans les formulaires de saisie à qui n'a encore rien saisi : "
            "ensuite, le dernier jeu de données utilisé par la personne."
        ),
    )
    territory_communes = models.ManyToManyField(
        "referentiel.Commune",
        verbose_name=_("territoire d'intervention (communes)"),
        blank=True,
        related_name="+",
        help_text=_(
            "Communes où l'organisme travaille : le bilan annuel y signale les premières "
            "mentions d'un taxon sur ce territoire."
        ),
    )

    def clean(self):
        super().clean()
        dataset = self.default_dataset
        if dataset is not None and dataset.producer_id != self.pk:
            raise ValidationError(
                {
                    "default_dataset": _(
                        "Choisissez un jeu de données produit par cet organisme."
                    )
                }
            )

    class Meta:
        verbose_name = _("organisme")
        verbose_name_plural = _("organismes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    """The four roles of DESIGN §7, stored as Django groups of the same name."""

    SAISIE = "saisie", _("Saisie")
    VALIDATEUR = "validateur", _("Validateur")
    COORDINATEUR = "coordinateur", _("Coordinateur")
    PARTENAIRE = "partenaire", _("Partenaire")


# The highest sensitivity level (0–4) each role reads at full precision; above it a record is
# blurred to its commune, 10 km cell or département, or hidden (4). Validators and
# coordinators need the exact place to validate and to report; field staff and partners read
# other producers' sensitive records blurred (their own organisation's are always precise).
ROLE_SENSITIVITY_CLEARANCE = {
    Role.SAISIE: 0,
    Role.PARTENAIRE: 0,
    Role.VALIDATEUR: 4,
    Role.COORDINATEUR: 4,
}


class Scope(models.TextChoices):
    OWN = "own", _("Mes données")
    ORGANISATION = "organisation", _("Mon organisme")
    ALL = "all", _("Tout le réseau")


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    is_regional = models.BooleanField(
        _("coordination régionale"),
        default=False,
        help_text=_("Un coordinateur régional voit les données de tout le réseau."),
    )
    validation_groups = models.ManyToManyField(
        "referentiel.AtlasGroup",
        verbose_name=_("groupes validés"),
        blank=True,
        related_name="validators",
        help_text=_("Groupes taxonomiques que ce validateur peut valider."),
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    @property
    def roles(self) -> set[str]:
        if not hasattr(self, "_roles"):
            self._roles = set(self.groups.values_list("name", flat=True))
        return self._roles

    def has_role(self, role: str) -> bool:
        return self.is_superuser or role in self.roles

    @property
    def read_scope(self) -> str:
        """What the user may read: superusers and regional coordinators see everything."""
        if self.is_superuser or (self.is_regional and Role.COORDINATEUR in self.roles):
            return Scope.ALL
        if self.roles & {
            Role.SAISIE,
            Role.VALIDATEUR,
            Role.COORDINATEUR,
            Role.PARTENAIRE,
        }:
            return Scope.ORGANISATION
        return Scope.OWN

    @property
    def sensitivity_clearance(self) -> int:
        """The highest sensitivity level this user reads at full precision: the best of
        their roles' and of their organisation's (superusers: all)."""
        if self.is_superuser:
            return 4
        levels = [ROLE_SENSITIVITY_CLEARANCE.get(role, 0) for role in self.roles]
        if self.organisation_id is not None:
            levels.append(self.organisation.sensitivity_clearance)
        return max(levels, default=0)

    @property
    def write_scope(self) -> str | None:
        """What the user may edit: coordinators their organisation (or all), field staff
        their own records. A validator validates (``permissions.can_validate``) and enters
        nothing: a validator who also enters data holds the saisie role as well."""
        if self.is_superuser or (self.is_regional and Role.COORDINATEUR in self.roles):
            return Scope.ALL
        if Role.COORDINATEUR in self.roles:
            return Scope.ORGANISATION
        if Role.SAISIE in self.roles:
            return Scope.OWN
        return None


class PersonQuerySet(models.QuerySet):
    def selectable_by(self, user, *, also=()) -> "PersonQuerySet":
        """The people ``user`` may name as observers (entry forms, ``/api/v1/persons/``):
        their own person, the people of their organisation and, for a writing role, the
        observers of the records of the datasets they may write into (a volunteer of
        another structure who came along); everyone for the network-wide writers. Nobody
        for an anonymous visitor: a list of names and structures is not public.
        ``also``: people (or ids) a form offers besides (a record's current observers)."""
        if not user.is_authenticated:
            return self.none()
        if user.write_scope == Scope.ALL:
            return self.all()
        ids = [getattr(person, "pk", person) for person in also if person]
        people = models.Q(user=user) | models.Q(pk__in=ids)
        if user.organisation_id is not None:
            people |= models.Q(organisation_id=user.organisation_id)
            if user.write_scope is not None:
                # By the reverse name of the occurrences' observers (the referential
                # imports no app above it); the writable datasets are the organisation's.
                observed = self.model.objects.filter(
                    observations__dataset__producer_id=user.organisation_id
                )
                people |= models.Q(pk__in=observed.values("pk"))
        return self.filter(people)

    def search(self, text: str) -> "PersonQuerySet":
        """Every word of ``text`` starts a first or a last name, accents and case
        ignored (« dup je » finds Jean DUPONT)."""
        queryset = self
        for word in normalize_search(text).split():
            starts = models.Q()
            for name in ("first_name", "last_name"):
                starts |= (
                    models.Q(**{f"{name}__unaccent__istartswith": word})
                    | models.Q(**{f"{name}__unaccent__icontains": f" {word}"})
                    | models.Q(**{f"{name}__unaccent__icontains": f"-{word}"})
                )
            queryset = queryset.filter(starts)
        return queryset


class Person(TimeStampedModel):
    """An observer, ringer, validator or volunteer, with or without an account."""

    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("compte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()
