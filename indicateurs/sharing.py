"""Read-only share links of a structure's printable report (ShareLink), for the Region's
officer who has no account.

The URL carries ``signing.dumps(link uuid)`` salted for this use: a token that was not
made by this server (or was altered) opens nothing, and the link row decides the rest
(expiry, revocation). Creation, revocation and every opening (or refused opening) are
written to ShareLinkEvent, the share links' exchange log.

What the officer sees is the printable page of the structure's year as the link's author
read it, but for the finds: only those retained for the report, and a find's commune and
site only where the public may see the record precisely (observations.blurring): a
sensitive species is placed by its département or territory only."""

from django.core import signing
from django.db import transaction
from django.utils import timezone

from indicateurs.models import ShareLink, ShareLinkEvent
from observations.models import Occurrence

SALT = "indicateurs.share-link"


def share_token(link: ShareLink) -> str:
    return signing.dumps(str(link.uuid), salt=SALT, compress=True)


def share_link_of(token: str) -> ShareLink | None:
    """The link a token names (None for a token this server did not sign)."""
    try:
        uuid = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return (
        ShareLink.objects.select_related("organisation", "created_by")
        .filter(uuid=uuid)
        .first()
    )


def share_state(link: ShareLink) -> str:
    """``valid``, ``revoked`` or ``expired``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= timezone.now():
        return "expired"
    return "valid"


def _log(link: ShareLink, kind: str, *, user=None, address=None) -> None:
    ShareLinkEvent.objects.create(link=link, kind=kind, user=user, address=address)


@transaction.atomic
def share_create(*, organisation, year: int, recipient: str, expires_at, user):
    link = ShareLink.objects.create(
        organisation=organisation,
        year=year,
        recipient=recipient,
        expires_at=expires_at,
        created_by=user,
    )
    _log(link, ShareLinkEvent.Kind.CREATED, user=user)
    return link


@transaction.atomic
def share_revoke(link: ShareLink, *, user) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
        _log(link, ShareLinkEvent.Kind.REVOKED, user=user)


def share_opened(link: ShareLink, *, ok: bool, address: str | None) -> None:
    kind = ShareLinkEvent.Kind.OPENED if ok else ShareLinkEvent.Kind.REFUSED
    _log(link, kind, address=address)


def retained_finds(finds: dict) -> list[dict]:
    """The finds a coordinator picked for the report (never the candidates not yet
    decided on, which the coordinators' own print page lists until they choose)."""
    return [f for f in finds["firsts"] + finds["rare_or_threatened"] if f["in_report"]]


def public_finds(finds: list[dict]) -> list[dict]:
    """The retained finds as the public may read them: the commune and site of a find
    only where the public reads its record precisely; others keep the département or
    territory."""
    precise = set(
        str(uuid)
        for uuid in Occurrence.objects.visible_to(_anonymous())
        .filter(uuid__in=[f["uuid"] for f in finds if f.get("uuid")], is_precise=True)
        .values_list("uuid", flat=True)
    )
    shown = []
    for find in finds:
        find = dict(find)
        if str(find.get("uuid")) not in precise:
            find["commune"] = ""
            find["site"] = ""
        shown.append(find)
    return shown


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
