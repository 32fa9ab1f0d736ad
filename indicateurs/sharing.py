"""Read-only share links of a structure's printable report (ShareLink), for the Region's
officer who has no account.

The URL carries the link's uuid signed with the server's key, salted for this use: a token that was not
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
from referentiel.models import Scope
from referentiel.permissions import can_coordinate

SALT = "indicateurs.share-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def share_token(link: ShareLink) -> str:
    """``<uuid>:<signature>``, the same for the link's whole life (its expiry and
    revocation are the row's)."""
    return _signer().sign(str(link.uuid))


def share_link_of(token: str) -> ShareLink | None:
    """The link a token names (None for a token this server did not sign)."""
    try:
        uuid = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return (
        ShareLink.objects.select_related("organisation", "created_by")
        .filter(uuid=uuid)
        .first()
    )


def share_state(link: ShareLink) -> str:
    """``valid``, ``revoked`` or ``expired``."""
    if link.revoked_at is not None or not _author_reads(link):
        return "revoked"
    if link.expires_at <= timezone.now():
        return "expired"
    return "valid"


def _author_reads(link: ShareLink) -> bool:
    """A link lives only while its author may still read that structure's figures (a
    coordinator who left it, or lost the role, closes the links they made)."""
    author = link.created_by
    if not (author.is_active and can_coordinate(author)):
        return False
    return (
        author.read_scope == Scope.ALL or author.organisation_id == link.organisation_id
    )


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


def public_digest(indicators: dict) -> dict:
    """The indicators as the share link shows them to someone without an account: the
    figures (counts), the narratives, the charts of counts, the atlas and outreach tables;
    no link to the records, no place named by the records (ringing sites, POP aires,
    terrils are numbered, not named: their names are the structure's field data), no map
    of the records, no taxon list of the finds not retained."""
    shown = dict(indicators)
    shown["sections"] = [
        {
            **section,
            "figures": [
                {
                    **figure,
                    "url": None,
                    "detail": ""
                    if figure["key"].startswith("finds_")
                    else figure["detail"],
                }
                for figure in section["figures"]
            ],
        }
        for section in indicators["sections"]
    ]
    details = dict(indicators["details"])
    ringing = dict(details["ringing"])
    ringing["per_site"] = [
        {**row, "site": f"Site {index}", "communes": "", "remarkable": []}
        for index, row in enumerate(ringing["per_site"], start=1)
    ]
    pop = dict(details["pop"])
    pop["per_aire"] = [{**aire, "name": ""} for aire in pop["per_aire"]]
    terrils = dict(details["terrils"])
    terrils["scores"] = [
        {**row, "name": f"Terril n° {row['number']}"} for row in terrils["scores"]
    ]
    details.update(ringing=ringing, pop=pop, terrils=terrils)
    shown["details"] = details
    shown["charts"] = {k: v for k, v in indicators["charts"].items() if k != "map"}
    return shown


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
