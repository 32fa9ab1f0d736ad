"""Public reports of citizen-science campaigns: submission, email confirmation, publication.

``report_submit`` stores a checked report (and its re-encoded photo) in one transaction and
sends the confirmation email; ``report_confirm`` turns it, once, into an occurrence "en
attente de validation" with source "campagne" through ``observations.services``."""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from observations.models import Source
from observations.services import occurrence_create
from sensibilisation.models import CampaignSpecies, Report

log = logging.getLogger(__name__)

REPORT_TOKEN_SALT = "sensibilisation.report-confirm"
REPORT_TOKEN_MAX_AGE = 7 * 24 * 60 * 60


def report_confirmation_token(report: Report) -> str:
    return signing.dumps(str(report.uuid), salt=REPORT_TOKEN_SALT)


def report_photo_url(*, report: Report, site_url: str) -> str:
    """The absolute URL of the report's photo page (for validators only)."""
    return site_url.rstrip("/") + reverse(
        "sensibilisation:report_photo", args=[report.uuid]
    )


def report_submit(
    *,
    species: CampaignSpecies,
    observed_on: dt.date,
    geom,
    precision_m: int | None,
    count: int,
    email: str,
    address: str = "",
    comment: str = "",
    photo_jpeg: bytes | None = None,
    client_hash: str = "",
    site_url: str,
) -> Report:
    """Store a checked report (nothing if any part fails), then email its confirmation link."""
    campaign = species.campaign
    if not campaign.is_open:
        raise ValidationError(_("Cette campagne n'accepte plus de signalements."))
    if observed_on > timezone.localdate():
        raise ValidationError(
            {"observed_on": _("La date ne peut pas être dans le futur.")}
        )
    report = Report(
        campaign=campaign,
        species=species,
        observed_on=observed_on,
        geom=geom,
        precision_m=precision_m,
        address=address,
        count=count,
        comment=comment,
        email=email,
        client_hash=client_hash,
    )
    report.full_clean(exclude=["photo", "occurrence"])
    saved_name = None
    try:
        with transaction.atomic():
            if photo_jpeg:
                report.photo.save(
                    f"{uuid.uuid4().hex}.jpg", ContentFile(photo_jpeg), save=False
                )
                saved_name = report.photo.name
            report.save()
    except Exception:
        # The row was rolled back: do not leave its photo behind on disk.
        if saved_name:
            report.photo.storage.delete(saved_name)
        raise
    _send_confirmation(report=report, site_url=site_url)
    return report


def _send_confirmation(*, report: Report, site_url: str) -> None:
    link = site_url.rstrip("/") + reverse(
        "sensibilisation:report_confirm", args=[report_confirmation_token(report)]
    )
    body = _(
        "Bonjour,\n\n"
        "Merci pour votre signalement « %(species)s » du %(date)s pour la campagne "
        "« %(campaign)s ».\n\n"
        "Pour le confirmer, ouvrez ce lien (valable 7 jours) :\n%(link)s\n\n"
        "Sans confirmation, il ne sera pas pris en compte. Si vous n'êtes pas à "
        "l'origine de ce message, ignorez-le.\n\n"
        "L'équipe du CPIE"
    ) % {
        "species": report.species.common_name,
        "date": report.observed_on.strftime("%d/%m/%Y"),
        "campaign": report.campaign.title,
        "link": link,
    }
    try:
        send_mail(
            _("Confirmez votre signalement – %(campaign)s")
            % {"campaign": report.campaign.title},
            body,
            None,
            [report.email],
        )
    except Exception:  # the report stays pending; a coordinator can see it
        log.exception("Courriel de confirmation non envoyé (signalement %s)", report.pk)


@transaction.atomic
def report_confirm(*, token: str, site_url: str) -> Report:
    """Confirm a report from its signed token and publish its occurrence (once: a second
    click on the link returns the same report and creates nothing)."""
    try:
        report_uuid = signing.loads(
            token, salt=REPORT_TOKEN_SALT, max_age=REPORT_TOKEN_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _(
                "Ce lien de confirmation a expiré : envoyez de nouveau votre signalement."
            )
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("Ce lien de confirmation n'est pas valide.")) from None
    report = (
        Report.objects.select_for_update()
        .select_related("campaign__programme", "campaign__dataset", "species__taxon")
        .filter(uuid=report_uuid)
        .first()
    )
    if report is None:
        raise ValidationError(_("Ce signalement n'existe plus."))
    if report.status == Report.Status.CONFIRMED:
        return report
    campaign = report.campaign
    occurrence = occurrence_create(
        user=None,
        dataset=campaign.dataset,
        taxon=report.species.taxon,
        cited_name=report.species.common_name,
        date_start=report.observed_on,
        date_end=report.observed_on,
        geom=report.geom,
        precision_m=report.precision_m,
        programme=campaign.programme,
        count_min=report.count,
        count_max=report.count,
        proof_exists="1" if report.photo else "2",
        proof_url=report_photo_url(report=report, site_url=site_url)
        if report.photo
        else "",
        observers_label=_("Participant de la campagne « %(campaign)s »")
        % {"campaign": campaign.title},
        comment=report.comment,
        source=Source.CAMPAGNE,
        source_key=f"campagne:{report.uuid}",
        validation_status=0,
    )
    report.occurrence = occurrence
    report.status = Report.Status.CONFIRMED
    report.confirmed_at = timezone.now()
    report.save(update_fields=["occurrence", "status", "confirmed_at", "updated_at"])
    return report


@transaction.atomic
def reports_purge_unconfirmed(*, older_than: dt.timedelta | None = None) -> int:
    """Delete the reports never confirmed within the link's validity (and their photos):
    nobody vouched for them, so their email and garden are not kept. Returns how many."""
    limit = timezone.now() - (older_than or dt.timedelta(seconds=REPORT_TOKEN_MAX_AGE))
    stale = list(
        Report.objects.filter(status=Report.Status.PENDING, created_at__lt=limit)
    )
    photos = [report.photo for report in stale if report.photo]
    Report.objects.filter(pk__in=[report.pk for report in stale]).delete()
    transaction.on_commit(
        lambda: [photo.storage.delete(photo.name) for photo in photos]
    )
    return len(stale)


def site_url_of(request) -> str:
    """The site's base URL for links in emails and proofs (``SITE_URL`` when set)."""
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/")
