"""How the wetlands app applies the read rule (``observations.policy``) to its records and
places: POP lines and fence counts inherit the reading of the occurrence each publishes;
ponds, fences and non-public sites holding an occurrence the reader may not place are left
out; Great crested newt captures, which publish no occurrence, are read as a record of
their species would be.

One thing is added here to ``observations.policy``:

* a newt capture or individual has no occurrence: it is placeable when an occurrence of
  Triturus cristatus in its dataset, entered by its author, would be (``newt_placeable``),
  the level being the species' highest (its regional status and every active rule of the
  taxon, whatever their period or département: the capture does not carry the fields the
  rules are matched on).
"""

from __future__ import annotations

from django.db.models import Exists, IntegerField, Max, OuterRef, Q, QuerySet, Value

from observations import policy
from observations.blurring import Reader
from referentiel.models import SensitivityRule, Site, Taxon, TaxonStatus
from zones_humides.models import NewtCapture
from zones_humides.models.newts import TRITURUS_CRISTATUS_CD_NOM

# Paths from an occurrence to the place its protocol record lies in.
POND_LINK = "pop_observation__passage__pop_site"
AIRE_LINK = f"{POND_LINK}__aire"
FENCE_LINK = "fence_count__check_round__fence"
SITE_LINKS = ("site", "site__parent")


def newt_sensitivity_level() -> int:
    """The highest sensitivity level an occurrence of Triturus cristatus may get."""
    taxon = (
        Taxon.objects.filter(cd_nom=TRITURUS_CRISTATUS_CD_NOM)
        .values("cd_nom", "cd_ref")
        .first()
    )
    if taxon is None:
        return 0
    status = TaxonStatus.objects.filter(
        taxon_id__in={taxon["cd_nom"], taxon["cd_ref"]}
    ).aggregate(level=Max("sensitivity_level"))["level"]
    rules = SensitivityRule.objects.filter(
        is_active=True, taxon_refs__contains=[taxon["cd_ref"]]
    ).aggregate(level=Max("level"))["level"]
    return max(status or 0, rules or 0)


def _as_newt_records(queryset: QuerySet) -> QuerySet:
    """Newt captures or individuals (a dataset and an author each) with the level their
    species' occurrences have, so that the occurrence layer's own filters apply to them."""
    return queryset.annotate(
        sensitivity_level=Value(newt_sensitivity_level(), output_field=IntegerField())
    )


def newt_placeable(queryset: QuerySet, user, *, reader=None) -> QuerySet:
    """Captures or individuals the reader may see with their date, place and photo."""
    if not user.is_authenticated:
        return queryset.none()
    condition = policy.placeable_q(user, reader=reader)
    if condition == Q():
        return queryset
    return _as_newt_records(queryset).filter(condition)


def newt_hidden(queryset: QuerySet, user, *, reader=None) -> QuerySet:
    """The complement of ``newt_placeable``."""
    if not user.is_authenticated:
        return queryset
    condition = policy.placeable_q(user, reader=reader)
    if condition == Q():
        return queryset.none()
    return _as_newt_records(queryset).exclude(condition)


def sites_visible_to(user, *, reader: Reader | None = None) -> QuerySet[Site]:
    """Referential sites the reader may see in this app: a non-public site holding (itself
    or through a site inside it) an occurrence or a newt capture the reader may not place
    is left out; a public site stays, never linked to the hidden record."""
    reader = reader or Reader.for_user(user)
    sites = Site.objects.visible_to(user)
    public = Q(is_public=True)
    for link in SITE_LINKS:
        sites = policy.without_hidden_places(
            sites, user, link, public=public, reader=reader
        )
    hidden_captures = newt_hidden(NewtCapture.objects.all(), user, reader=reader)
    if hidden_captures.query.is_empty():
        return sites
    return sites.filter(public | ~Exists(hidden_captures.filter(site=OuterRef("pk"))))
