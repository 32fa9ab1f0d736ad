"""Outreach actions: trainings, outings, conferences, stands, work days, publications…

The participants of an action are counted (``participants_count``) and may also be named
(``ActionParticipant``: volunteers, members, trainees, with their hours on work days); the
figures take the larger of the two, so naming 10 trainees of a training counted at 0 or at
10 gives 10 people trained either way."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TrackedModel
from referentiel.models import Commune, Organisation, Person, ReportLine, Site

# The three actions of the annual report to the Region, as the programmes have them.
ActionLine = ReportLine


class Audience(models.TextChoices):
    PUBLIC = "public", _("Grand public")
    VOLUNTEERS = "benevoles", _("Bénévoles")
    MEMBERS = "adherents", _("Adhérents")
    ELECTED = "elus", _("Élus")
    COMPANIES = "entreprises", _("Entreprises")
    SCHOOLS = "scolaires", _("Scolaires")
    PROFESSIONALS = "professionnels", _("Professionnels")


class Action(TrackedModel):
    class Kind(models.TextChoices):
        TRAINING = "formation", _("Formation")
        OUTING = "sortie", _("Sortie guidée")
        CONFERENCE = "conference", _("Conférence ou webinaire")
        STAND = "stand", _("Stand")
        WORK_DAY = "chantier", _("Chantier participatif")
        MEDIA = "presse", _("Publication dans les médias")
        PRINT = "support", _("Affiche, dépliant, livret")
        REPORT = "rapport", _("Rapport")
        SOCIAL = "reseaux", _("Campagne sur les réseaux sociaux")
        ECONOMIC = "acteurs_eco", _("Événement avec des acteurs économiques")

    # Kinds whose participants are "made aware" in the figures (trainings are counted as
    # people trained, publications as publications, work days as volunteer time).
    AWARENESS_KINDS = (Kind.OUTING, Kind.CONFERENCE, Kind.STAND, Kind.ECONOMIC)
    PUBLICATION_KINDS = (Kind.MEDIA, Kind.PRINT, Kind.REPORT, Kind.SOCIAL)

    class Format(models.TextChoices):
        IN_PERSON = "presentiel", _("En présentiel")
        ONLINE = "distanciel", _("En ligne")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_actions",
    )
    kind = models.CharField(_("type d'action"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    date_start = models.DateField(_("date de début"))
    date_end = models.DateField(_("date de fin"), null=True, blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sensibilisation_actions",
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sensibilisation_actions",
    )
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    audiences = ArrayField(
        models.CharField(max_length=20, choices=Audience.choices),
        verbose_name=_("publics"),
        default=list,
        blank=True,
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partenaires"),
        blank=True,
        related_name="sensibilisation_partner_actions",
    )
    action_line = models.PositiveSmallIntegerField(
        _("action du bilan"), choices=ActionLine.choices
    )
    format = models.CharField(
        _("format"), max_length=12, choices=Format.choices, default=Format.IN_PERSON
    )
    participants_count = models.PositiveIntegerField(
        _("participants comptés"),
        default=0,
        help_text=_("Nombre de personnes présentes ou touchées (nommées ou non)."),
    )
    duration_hours = models.DecimalField(
        _("durée (heures)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Durée d'un chantier ou d'une journée, pour le temps bénévole."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("action de sensibilisation")
        verbose_name_plural = _("actions de sensibilisation")
        ordering = ["-date_start", "title"]
        indexes = [
            models.Index(fields=["date_start", "action_line"], name="action_year_line")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_end__isnull=True) | Q(date_start__lte=F("date_end")),
                name="action_dates_ordered",
                violation_error_message=_("La date de fin précède la date de début."),
            ),
            models.CheckConstraint(
                condition=Q(action_line__in=[1, 2, 3]),
                name="action_line_1_3",
                violation_error_message=_("L'action du bilan est 1, 2 ou 3."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date_start:%d/%m/%Y})"

    @property
    def place(self):
        return self.site or self.commune


class TrainingSession(models.Model):
    """One day or half-day of a training."""

    action = models.ForeignKey(
        Action,
        verbose_name=_("formation"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    date = models.DateField(_("date"))
    duration_hours = models.DecimalField(
        _("durée (heures)"), max_digits=4, decimal_places=1, default=7
    )
    topic = models.CharField(_("contenu"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("séance de formation")
        verbose_name_plural = _("séances de formation")
        ordering = ["action", "date"]

    def __str__(self) -> str:
        return f"{self.action.title} – {self.date:%d/%m/%Y}"


class ActionParticipant(models.Model):
    """A named participant (trainee, volunteer, member), with their hours on work days."""

    class Role(models.TextChoices):
        TRAINEE = "stagiaire", _("Stagiaire")
        VOLUNTEER = "benevole", _("Bénévole")
        MEMBER = "adherent", _("Adhérent")

    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_participations",
    )
    role = models.CharField(
        _("rôle"), max_length=12, choices=Role.choices, default=Role.VOLUNTEER
    )
    hours = models.DecimalField(
        _("heures"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["action", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "person"], name="action_participant_unique"
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0),
                name="participant_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.action}"


class ActionDocument(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        PHOTO = "photo", _("Photo")

    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="sensibilisation/actions/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document d'action")
        verbose_name_plural = _("documents d'action")
        ordering = ["action", "title"]

    def __str__(self) -> str:
        return self.title
