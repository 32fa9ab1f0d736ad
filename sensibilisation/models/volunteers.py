"""Volunteers and members: who they are (a referential Person), what they agreed to.

Consent is recorded with its date and scope (GDPR art. 7: the controller must be able to
show it); withdrawing it or asking for erasure goes through sensibilisation.services."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel
from referentiel.models import Organisation, Person


class Volunteer(TimeStampedModel):
    class Status(models.TextChoices):
        VOLUNTEER = "benevole", _("Bénévole")
        MEMBER = "adherent", _("Adhérent")
        BOTH = "les_deux", _("Bénévole et adhérent")

    class ConsentScope(models.TextChoices):
        CONTACT = "contact", _("Être contacté (courriel, téléphone)")
        NAMED = "nomme", _("Être nommé dans les bilans et comptes rendus")
        PHOTOS = "photos", _("Apparaître sur les photos publiées")

    person = models.OneToOneField(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_volunteer",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        related_name="sensibilisation_volunteers",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.VOLUNTEER
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    member_since = models.DateField(_("adhérent depuis"), null=True, blank=True)
    consent_date = models.DateField(_("date du consentement"), null=True, blank=True)
    consent_scope = ArrayField(
        models.CharField(max_length=10, choices=ConsentScope.choices),
        verbose_name=_("objet du consentement"),
        default=list,
        blank=True,
    )
    consent_withdrawn_on = models.DateField(
        _("consentement retiré le"), null=True, blank=True
    )
    notes = models.TextField(_("remarques"), blank=True)

    class Meta:
        verbose_name = _("bénévole ou adhérent")
        verbose_name_plural = _("bénévoles et adhérents")
        ordering = ["person__last_name", "person__first_name"]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_date and not self.consent_withdrawn_on)
