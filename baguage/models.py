"""Bird ringing (baguage): ringers and their CRBPO permits, ring series and stock, EURING
species, ringing programmes and stations, sessions and captures.

Every capture publishes an occurrence (observations.services.occurrence_publish) with the
ringing technique, so ringing data reaches atlas counts and SINP exports with no extra work.
Codes follow EURING2000+ (shared/domain/protocols.md §1.1); French ages (PUL, 1A, +1A…) are
translated to EURING ages by ``FRENCH_AGES``.
"""

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from cpie_naturaliste.core.models import TimeStampedModel, TrackedModel
from observations.models import PublishedOccurrenceMixin
from referentiel.models import Dataset, Person, Programme, Site, Taxon

FRANCE_SCHEME = "FRP"


class Ringer(TimeStampedModel):
    """A ringer with a CRBPO permit (généraliste, spécialiste or programme)."""

    class PermitKind(models.TextChoices):
        GENERALIST = "generaliste", _("Généraliste")
        SPECIALIST = "specialiste", _("Spécialiste (programme ou espèces)")
        TRAINEE = "stagiaire", _("Aide-bagueur / stagiaire")

    person = models.OneToOneField(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="ringer",
    )
    permit_number = models.CharField(_("n° de permis CRBPO"), max_length=30, blank=True)
    permit_kind = models.CharField(
        _("type de permis"),
        max_length=12,
        choices=PermitKind.choices,
        default=PermitKind.GENERALIST,
    )
    permit_scope = models.CharField(
        _("portée du permis"),
        max_length=255,
        blank=True,
        help_text=_("Programmes ou espèces autorisés pour un permis spécialiste."),
    )
    valid_from = models.DateField(_("valide du"), null=True, blank=True)
    valid_until = models.DateField(_("valide jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("bagueur")
        verbose_name_plural = _("bagueurs")
        ordering = ["person__last_name", "person__first_name"]

    def __str__(self) -> str:
        return str(self.person)

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class RingSeries(TimeStampedModel):
    """Rings received from the scheme: ``prefix`` + numbers ``first``…``last`` of one size.

    A ring's number is ``prefix`` followed by its number padded to ``digits`` digits."""

    scheme = models.CharField(_("centre"), max_length=3, default=FRANCE_SCHEME)
    size = models.CharField(
        _("taille"), max_length=4, help_text=_("Code de taille CRBPO : A, B, C, V…")
    )
    prefix = models.CharField(_("préfixe"), max_length=6, blank=True)
    first = models.PositiveIntegerField(_("premier numéro"))
    last = models.PositiveIntegerField(_("dernier numéro"))
    digits = models.PositiveSmallIntegerField(
        _("chiffres"), default=7, help_text=_("Nombre de chiffres du numéro.")
    )
    received_on = models.DateField(_("reçue le"))
    ringer = models.ForeignKey(
        Ringer,
        verbose_name=_("bagueur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ring_series",
    )
    comment = models.CharField(_("commentaire"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("série de bagues")
        verbose_name_plural = _("séries de bagues")
        ordering = ["size", "prefix", "first"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first__lte=F("last")),
                name="ringseries_first_le_last",
                violation_error_message=_("Le premier numéro dépasse le dernier."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.size} {self.ring(self.first)}–{self.ring(self.last)}"

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def ring(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.digits}d}"


class EuringSpecies(models.Model):
    """A taxon's EURING species code, usual ring size and usual biometrics (entry checks
    warn outside these ranges)."""

    taxon = models.OneToOneField(
        Taxon, verbose_name=_("taxon"), on_delete=models.PROTECT, related_name="euring"
    )
    code = models.CharField(_("code EURING"), max_length=5, unique=True)
    crbpo_code = models.CharField(
        _("code CRBPO"), max_length=6, blank=True, help_text=_("Ex. ACCNIS.")
    )
    ring_size = models.CharField(_("taille de bague"), max_length=4, blank=True)
    wing_min = models.DecimalField(
        _("aile min (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    wing_max = models.DecimalField(
        _("aile max (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    mass_min = models.DecimalField(
        _("masse min (g)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    mass_max = models.DecimalField(
        _("masse max (g)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    is_remarkable = models.BooleanField(
        _("espèce remarquable"),
        default=False,
        help_text=_("Citée dans le bilan annuel (rare ou patrimoniale localement)."),
    )

    class Meta:
        verbose_name = _("espèce EURING")
        verbose_name_plural = _("espèces EURING")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.taxon.scientific_name}"


class RingingProgramme(models.Model):
    """The ringing profile of a referential programme (CRBPO programme kind and targets)."""

    class Kind(models.TextChoices):
        STOC = "stoc", _("STOC-Capture")
        STOC_ROZO = "stoc_rozo", _("STOC-Rozo")
        SPOL = "spol", _("SPOL")
        SPOL_MANGEOIRE = "spol_mangeoire", _("SPOL mangeoire")
        PHENO = "pheno", _("PHENO")
        VOIE = "voie", _("VOIE")
        GIBIER = "gibier", _("Espèces gibier")
        SMAC = "smac", _("SMAC")
        PERSONNEL = "personnel", _("Programme personnel")

    programme = models.OneToOneField(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="ringing",
    )
    kind = models.CharField(_("type CRBPO"), max_length=16, choices=Kind.choices)
    target_taxa = models.ManyToManyField(
        Taxon, verbose_name=_("espèces cibles"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("programme de baguage")
        verbose_name_plural = _("programmes de baguage")
        ordering = ["programme__code"]

    def __str__(self) -> str:
        return str(self.programme)

    @property
    def is_stoc(self) -> bool:
        return self.kind in (self.Kind.STOC, self.Kind.STOC_ROZO)


class Station(TimeStampedModel):
    """A ringing station: a site with fixed net positions."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="stations"
    )
    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("code station CRBPO"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("station de baguage")
        verbose_name_plural = _("stations de baguage")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NetPosition(models.Model):
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="nets",
    )
    number = models.PositiveSmallIntegerField(_("n° de filet"))
    length_m = models.DecimalField(
        _("longueur (m)"), max_digits=5, decimal_places=1, default=12
    )
    mesh_mm = models.PositiveSmallIntegerField(_("maille (mm)"), default=16)
    geom = models.PointField(_("position"), srid=settings.SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("emplacement de filet")
        verbose_name_plural = _("emplacements de filets")
        ordering = ["station", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "number"], name="netposition_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} – filet {self.number}"


class Session(TrackedModel):
    """One ringing session at a station for a programme."""

    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    programme = models.ForeignKey(
        RingingProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="ringing_sessions",
        help_text=_("Jeu de données des observations publiées par les captures."),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    end_time = models.TimeField(_("heure de fin"), null=True, blank=True)
    ringers = models.ManyToManyField(
        Ringer, verbose_name=_("bagueurs"), related_name="sessions"
    )
    nets_count = models.PositiveSmallIntegerField(_("nombre de filets"), default=0)
    nets_length_m = models.DecimalField(
        _("longueur totale de filets (m)"), max_digits=6, decimal_places=1, default=0
    )
    weather = models.CharField(_("météo"), max_length=255, blank=True)
    temperature_c = models.DecimalField(
        _("température (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    wind = models.CharField(_("vent"), max_length=50, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("session de baguage")
        verbose_name_plural = _("sessions de baguage")
        ordering = ["-date", "station__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(start_time__lte=F("end_time")),
                name="session_times_ordered",
                violation_error_message=_("L'heure de fin précède l'heure de début."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} – {self.date:%d/%m/%Y} ({self.programme})"

    @property
    def duration_hours(self) -> float | None:
        if self.start_time is None or self.end_time is None:
            return None
        start = dt.datetime.combine(self.date, self.start_time)
        end = dt.datetime.combine(self.date, self.end_time)
        return (end - start).total_seconds() / 3600

    @property
    def effort_metre_hours(self) -> float | None:
        """Net length × duration: the catching effort (m·h)."""
        hours = self.duration_hours
        return None if hours is None else float(self.nets_length_m) * hours


class Capture(TrackedModel, PublishedOccurrenceMixin):
    """One bird handled in a session: newly ringed (B), controlled (C) or found dead (R)."""

    class Action(models.TextChoices):
        RINGED = "B", _("B – baguage")
        CONTROL = "C", _("C – contrôle")
        RECOVERY = "R", _("R – reprise (trouvé mort)")

    class Sex(models.TextChoices):
        UNKNOWN = "U", _("Indéterminé")
        MALE = "M", _("Mâle")
        FEMALE = "F", _("Femelle")

    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="captures",
    )
    line = models.PositiveIntegerField(_("ligne"), default=0)
    time = models.TimeField(_("heure"), null=True, blank=True)
    net = models.PositiveSmallIntegerField(_("filet"), null=True, blank=True)
    action = models.CharField(
        _("action"), max_length=1, choices=Action.choices, default=Action.RINGED
    )
    ring_scheme = models.CharField(
        _("centre de baguage"),
        max_length=3,
        default=FRANCE_SCHEME,
        help_text=_("Code EURING du centre : FRP (Paris), BLB (Bruxelles), NLA…"),
    )
    ring_number = models.CharField(_("n° de bague"), max_length=12)
    ring_size = models.CharField(_("taille de bague"), max_length=4, blank=True)
    series = models.ForeignKey(
        RingSeries,
        verbose_name=_("série"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="captures",
    )
    taxon = models.ForeignKey(
        Taxon, verbose_name=_("espèce"), on_delete=models.PROTECT, related_name="+"
    )
    age = models.CharField(
        _("âge EURING"), max_length=1, default="0", help_text=_("0 inconnu, 1 poussin…")
    )
    sex = models.CharField(
        _("sexe"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN
    )
    sexing_method = models.CharField(
        _("méthode de sexage"), max_length=1, blank=True, help_text=_("A, B, C, D, E…")
    )
    wing_mm = models.DecimalField(
        _("aile pliée (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    third_primary_mm = models.DecimalField(
        _("3e rémige (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    mass_g = models.DecimalField(
        _("masse (g)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    fat = models.PositiveSmallIntegerField(_("adiposité"), null=True, blank=True)
    muscle = models.PositiveSmallIntegerField(_("muscle"), null=True, blank=True)
    brood_patch = models.CharField(_("plaque incubatrice"), max_length=1, blank=True)
    moult = models.CharField(_("mue"), max_length=1, blank=True)
    tarsus_mm = models.DecimalField(
        _("tarse (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    bill_mm = models.DecimalField(
        _("bec (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    condition = models.CharField(
        _("condition EURING"),
        max_length=1,
        default="8",
        help_text=_("8 : relâché vivant"),
    )
    circumstances = models.CharField(
        _("circonstances EURING"), max_length=2, default="20"
    )
    other_marks = models.CharField(
        _("autres marques EURING"),
        max_length=2,
        default="ZZ",
        help_text=_("ZZ : aucune"),
    )
    colour_marks = models.CharField(
        _("marques couleur"),
        max_length=100,
        blank=True,
        help_text=_("Ex. bague verte AB2."),
    )
    logger_serial = models.CharField(
        _("n° de géolocalisateur (GLS)"), max_length=40, blank=True
    )
    remarks = models.CharField(_("remarques"), max_length=255, blank=True)

    class Meta:
        default_related_name = "ringing_capture"
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        ordering = ["session", "line", "id"]
        indexes = [
            models.Index(fields=["ring_scheme", "ring_number"], name="capture_ring"),
            models.Index(fields=["taxon", "session"], name="capture_taxon"),
        ]
        constraints = [
            # A ring is put on one bird only.
            models.UniqueConstraint(
                fields=["ring_scheme", "ring_number"],
                condition=Q(action="B"),
                name="capture_ring_used_once",
                violation_error_message=_("Cette bague a déjà été posée."),
            ),
            models.CheckConstraint(
                condition=Q(action__in=["B", "C", "R"]),
                name="capture_action_bcr",
                violation_error_message=_("Action inconnue (B, C ou R)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.ring_scheme} {self.ring_number}"

    @property
    def is_foreign(self) -> bool:
        return self.ring_scheme != FRANCE_SCHEME


# French ages of the CRBPO sheet → EURING age codes.
FRENCH_AGES = {"PUL": "1", "VOL": "2", "1A": "3", "+1A": "4", "2A": "5", "+2A": "6"}
EURING_TO_FRENCH_AGE = {value: key for key, value in FRENCH_AGES.items()}


class RingingImport(Job):
    """A CRBPO file imported by the worker (``baguage.tasks.ringing_import_run``): the file,
    who imports it into which dataset, then what the import found and did — all of it
    (``done``), or nothing and the errors to correct (``invalid``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("Vérification et import en cours")
        DONE = "done", _("Terminé")
        INVALID = "invalid", _("Refusé : erreurs à corriger")
        FAILED = "failed", _("Échec")

    FINISHED_STATUSES = (Status.DONE, Status.INVALID, Status.FAILED)
    MAX_ATTEMPTS = 3  # all or nothing in one transaction: a lost worker left nothing
    ROWS_VERB = "lue(s)"

    status = job_status_field(Status)
    file = models.FileField(_("fichier"), upload_to="baguage/imports/%Y/%m/")
    filename = models.CharField(_("nom du fichier"), max_length=255)
    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="ringing_imports",
    )
    dry_run = models.BooleanField(_("essai à blanc"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("lignes lues"), default=0)
    sessions_created = models.PositiveIntegerField(_("sessions créées"), default=0)
    sessions_existing = models.PositiveIntegerField(
        _("sessions existantes complétées"), default=0
    )
    captures_created = models.PositiveIntegerField(_("captures créées"), default=0)
    skipped = models.PositiveIntegerField(_("lignes déjà importées"), default=0)
    summary = models.TextField(_("résumé"), blank=True)
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    errors_total = models.PositiveIntegerField(_("nombre d'erreurs"), default=0)
    warnings = models.JSONField(_("avertissements"), default=list, blank=True)

    class Meta:
        verbose_name = _("import CRBPO")
        verbose_name_plural = _("imports CRBPO")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def ok(self) -> bool:
        return self.status == self.Status.DONE
