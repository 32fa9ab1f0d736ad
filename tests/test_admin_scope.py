"""Every admin of organisation data reads as the pages read (cpie_naturaliste.core.admin).

The crawler (tests/security/test_crawler.py, reader ``staff_a``) proves that the admins of
today leak nothing to staff of another organisation; this test makes the rule hold for the
admins of tomorrow: a registered admin, or one of its inlines, is reader-scoped unless its
model is in the shared lists below, each with why."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from cpie_naturaliste.core.admin import ReaderScoped
from tests.factories.referentiel import (
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
)

# Models every member of the network reads, or configuration without field data.
SHARED = {
    "auth.Group": "the four roles",
    "django_celery_beat.PeriodicTask": "the schedule of the worker's jobs",
    "django_celery_beat.ClockedSchedule": "the schedule of the worker's jobs",
    "django_celery_beat.CrontabSchedule": "the schedule of the worker's jobs",
    "django_celery_beat.SolarSchedule": "the schedule of the worker's jobs",
    "django_celery_beat.IntervalSchedule": "the schedule of the worker's jobs",
    "referentiel.Organisation": "the network's structures",
    "referentiel.AtlasGroup": "taxonomic referential",
    "referentiel.AtlasGroupRule": "taxonomic referential",
    "referentiel.Taxon": "TAXREF",
    "referentiel.TaxonStatus": "regional statuses (public lists)",
    "referentiel.SensitivityRule": "the regional sensitivity list (public)",
    "referentiel.Departement": "IGN referential",
    "referentiel.Commune": "IGN referential",
    "referentiel.Programme": "the network's programmes",
    "referentiel.Dataset": "dataset metadata (SINP JDD)",
    "referentiel.NomenclatureType": "INPN nomenclatures",
    "referentiel.Nomenclature": "INPN nomenclatures",
    "observations.CountProgramme": "programme metadata (its sites are scoped)",
    "baguage.Ringer": "the network's ringers (CRBPO permits), read by every member",
    "baguage.RingSeries": "the ring stock, read by every member",
    "baguage.EuringSpecies": "EURING referential",
    "baguage.RingingProgramme": "programme metadata",
    "terrils.Terril": "the public registry of spoil heaps",
    "terrils.MethodVersion": "the evaluation method",
    "terrils.MethodGroup": "the evaluation method",
    "terrils.PatrimonialSpecies": "the evaluation method's species list",
    "terrils.PatrimonialHabitat": "the evaluation method's habitat list",
    "terrils.Score": "scores are published (hidden species are one line)",
    "sensibilisation.Campaign": "public participatory campaigns",
    "sensibilisation.CampaignSpecies": "public participatory campaigns",
    "sensibilisation.Action": "the network's outreach calendar",
    "sensibilisation.TrainingSession": "the network's outreach calendar",
}
# Scoped by their own queryset: the occurrence layer's read rule with its blurring, and a
# change form refused for a record not read precisely (its inlines show only there).
SCOPED_OTHERWISE = {
    "observations.Occurrence",
    "observations.Validation",
    "observations.OccurrenceChange",
}


def test_every_admin_of_organisation_data_is_reader_scoped():
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        for label, scoped in [
            (model._meta.label, isinstance(model_admin, ReaderScoped)),
            *(
                (inline.model._meta.label, issubclass(inline, ReaderScoped))
                for inline in model_admin.inlines
            ),
        ]:
            if not scoped and label not in SHARED and label not in SCOPED_OTHERWISE:
                unscoped.append(label)
    assert not unscoped, f"Admins of organisation data not reader-scoped: {unscoped}"


@pytest.mark.django_db
def test_staff_read_and_change_only_their_structures_rows():
    own, other = OrganisationFactory(name="CPIE A"), OrganisationFactory(name="B")
    staff = UserFactory(username="staff", organisation=own, is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_person", "view_site", "change_site", "view_tokenproxy"]
        )
    )
    mine = PersonFactory(last_name="Dumont", organisation=own)
    theirs = PersonFactory(last_name="Secretnom", organisation=other)
    shared_site = SiteFactory(name="Terril public", manager=other, is_public=True)
    hidden_site = SiteFactory(name="Carrière protégée", manager=other, is_public=False)
    client = Client()
    client.force_login(staff)
    people = client.get(reverse("admin:referentiel_person_changelist")).content.decode()
    assert "Dumont" in people.upper() or "DUMONT" in people.upper()
    assert "Secretnom".upper() not in people.upper()
    change = reverse("admin:referentiel_person_change", args=[theirs.pk])
    assert client.get(change).status_code == 302  # "does not exist" → admin index
    assert (
        client.get(
            reverse("admin:referentiel_person_change", args=[mine.pk])
        ).status_code
        == 200
    )
    sites = client.get(reverse("admin:referentiel_site_changelist")).content.decode()
    assert "Terril public" in sites and "Carrière protégée" not in sites
    # A public site of another structure is read, not changed.
    page = client.get(reverse("admin:referentiel_site_change", args=[shared_site.pk]))
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    hidden = reverse("admin:referentiel_site_change", args=[hidden_site.pk])
    assert client.get(hidden).status_code == 302
