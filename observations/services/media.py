"""Photos and sounds of an observation: checked, stripped and stored (``core.media``)."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.media import Prepared, media_prepare
from observations.models import Occurrence, OccurrenceMedia

# A record's photos and sounds: a few proofs, not an album.
MEDIA_PER_OCCURRENCE = 12
# SINP PREUVE_EXIST: "1" Oui (a proof exists and is still reachable).
PROOF_EXISTS_YES = "1"


def media_check(uploads) -> list[Prepared]:
    """Check every file (``core.media.media_prepare``) before anything is written, so a
    record and its files are saved together or not at all. Raises a ValidationError in
    French naming the file refused."""
    if len(uploads) > MEDIA_PER_OCCURRENCE:
        raise ValidationError(
            _("%(max)d fichiers au plus par observation.")
            % {"max": MEDIA_PER_OCCURRENCE}
        )
    prepared = []
    for upload in uploads:
        try:
            prepared.append(media_prepare(upload))
        except ValidationError as error:
            raise ValidationError(
                _("« %(name)s » : %(reason)s")
                % {"name": upload.name, "reason": " ".join(error.messages)}
            ) from None
    return prepared


@transaction.atomic
def occurrence_media_add(
    *, occurrence: Occurrence, user, media: list[Prepared]
) -> list[OccurrenceMedia]:
    """Store checked media (``media_check``) on ``occurrence``; the caller has checked that
    ``user`` may change it. The record's ``updated_at`` moves on, so that a synchronised
    copy (the API's ``since``) fetches it again with its media, and it now has a digital
    proof (``proof_exists``)."""
    already = OccurrenceMedia.objects.filter(occurrence=occurrence).count()
    if already + len(media) > MEDIA_PER_OCCURRENCE:
        raise ValidationError(
            {
                "media": _(
                    "%(max)d fichiers au plus par observation (déjà %(already)d)."
                )
                % {"max": MEDIA_PER_OCCURRENCE, "already": already}
            }
        )
    created = []
    for item in media:
        row = OccurrenceMedia(
            occurrence=occurrence,
            kind=item.kind,
            content_type=item.content_type,
            size=len(item.data),
            taken_at=item.taken_at and timezone.make_aware(item.taken_at),
            created_by=user,
            updated_by=user,
        )
        row.file.save(f"media.{item.extension}", ContentFile(item.data), save=False)
        if item.thumbnail is not None:
            row.thumbnail.save("miniature.jpg", ContentFile(item.thumbnail), save=False)
        row.save()
        created.append(row)
    # A photo or a sound is a digital proof (SINP PREUVE_EXIST 1, "Oui"); its address is
    # the file's, given in the exports to the readers who place the record
    # (observations.exports.columns, ``uRLPreuveNumerique``).
    Occurrence.objects.filter(pk=occurrence.pk).update(
        updated_at=Now(), proof_exists=PROOF_EXISTS_YES
    )
    occurrence.proof_exists = PROOF_EXISTS_YES
    return created


def media_files_delete(sender, instance: OccurrenceMedia, **kwargs) -> None:
    """Remove a deleted media's files once the deletion is committed (``post_delete``)."""
    files = [(f.storage, f.name) for f in (instance.file, instance.thumbnail) if f]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
