"""Read-only, chainable filters on occurrences; every page, API and export goes through them."""

from django.db import models

from observations.blurring import Reader
from referentiel.models import Scope, Taxon
from referentiel.permissions import can_coordinate, can_validate, writable

# Validation statuses of a valid record: 1 certain – very probable, 2 probable.
VALID_STATUSES = (1, 2)


class OccurrenceQuerySet(models.QuerySet):
    LITERAL_TAXA_MAX = 1000

    def visible_to(self, user, *, reader=None) -> "OccurrenceQuerySet":
        """What ``user`` may read (DESIGN §7), blurred for ``reader`` (by default the user).

        Network-wide roles read everything; staff and partners read their organisation's
        datasets and the public ones; anonymous visitors read only validated public data.
        Records too sensitive for the reader are dropped, and every row is annotated with
        ``is_precise`` (observations.blurring): pages, API, map layers and extracts show the
        others blurred, and area filters place them only by their blurred geometry."""
        reader = reader or Reader.for_user(user)
        return reader.restrict(self._readable_scope(user))

    def _readable_scope(self, user) -> "OccurrenceQuerySet":
        return self.filter(readable_q(user))

    def editable_by(self, user) -> "OccurrenceQuerySet":
        """What ``user`` may change or delete (``referentiel.permissions.write_q``): their
        own records in their organisation's datasets, or all of them for coordinators."""
        return writable(self, user)

    def validatable_by(self, user) -> "OccurrenceQuerySet":
        """Records a validator may validate: visible ones in their taxon groups."""
        if not can_validate(user):
            return self.none()
        qs = self.visible_to(user)
        if can_coordinate(user):
            return qs
        return qs.filter(atlas_group__in=user.validation_groups.all())

    def of_taxon(
        self, taxon: Taxon, *, descendants: bool = True
    ) -> "OccurrenceQuerySet":
        """Records of ``taxon`` (any of its names), and of the taxa below it by default."""
        refs = (
            Taxon.objects.descendant_refs(taxon.cd_ref)
            if descendants
            else [taxon.cd_ref]
        )
        names = Taxon.objects.filter(cd_ref__in=refs).values("cd_nom")
        # A literal list gives the planner the real row estimate, so it walks the
        # (taxon, date) index and stops at a page instead of sorting a whole year (30 ms →
        # 2 ms at 1M rows); a family or an order keeps the subquery (no 100,000-value IN).
        cd_noms = list(
            names.values_list("cd_nom", flat=True)[: self.LITERAL_TAXA_MAX + 1]
        )
        if len(cd_noms) <= self.LITERAL_TAXA_MAX:
            return self.filter(taxon_id__in=cd_noms)
        return self.filter(taxon__in=names)

    def validated(self) -> "OccurrenceQuerySet":
        return self.filter(validation_status__in=VALID_STATUSES)

    def presences(self) -> "OccurrenceQuerySet":
        return self.filter(observation_status="Pr")


def readable_q(user) -> models.Q:
    """The occurrences ``user`` may read at all, blurred or not (DESIGN §7): network-wide
    roles everything, staff and partners their organisation's datasets and the public
    ones, anonymous visitors validated public data only. ``observations.policy`` applies
    the same condition through the relations of the protocol records."""
    if not user.is_authenticated:
        return models.Q(dataset__is_public=True, validation_status__in=VALID_STATUSES)
    scope = user.read_scope
    if scope == Scope.ALL:
        return models.Q()
    if scope == Scope.ORGANISATION:
        return models.Q(dataset__producer_id=user.organisation_id) | models.Q(
            dataset__is_public=True
        )
    return models.Q(created_by_id=user.pk)
