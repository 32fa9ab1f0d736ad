"""Writes on taxa: atlas-group assignment from the editable rules."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection, transaction

from referentiel.models import AtlasGroupRule, Taxon


@dataclass(frozen=True)
class AtlasRules:
    """The rules in priority order, ready to classify many taxa without a query each."""

    rules: tuple[tuple[str, str, int], ...]  # (field, value, group_id)

    def group_for(self, taxon: Mapping[str, str]) -> int | None:
        for field, value, group_id in self.rules:
            if taxon.get(field) == value:
                return group_id
        return None


def atlas_rules_load() -> AtlasRules:
    return AtlasRules(
        rules=tuple(
            AtlasGroupRule.objects.order_by("priority", "id").values_list(
                "field", "value", "group_id"
            )
        )
    )


def taxon_assign_atlas_group(*, taxon: Taxon, rules: AtlasRules | None = None) -> None:
    """Set ``taxon.atlas_group`` from the rules (not saved)."""
    rules = rules or atlas_rules_load()
    fields = {field: getattr(taxon, field) for field in AtlasGroupRule.Field.values}
    taxon.atlas_group_id = rules.group_for(fields)


@transaction.atomic
def taxa_refresh_atlas_groups() -> int:
    """Recompute every taxon's atlas group in one statement; returns the number of rows changed.

    Run after editing the rules (admin action) or importing TAXREF."""
    rules = atlas_rules_load().rules
    table = Taxon._meta.db_table
    if not rules:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET atlas_group_id = NULL WHERE atlas_group_id IS NOT NULL"
            )
            return cursor.rowcount
    cases, params = [], []
    for field, value, group_id in rules:
        # ``field`` comes from AtlasGroupRule.Field choices (a fixed column list), never from input.
        assert field in AtlasGroupRule.Field.values
        cases.append(f"WHEN {field} = %s THEN %s")
        params += [value, group_id]
    sql = (
        f"UPDATE {table} SET atlas_group_id = new.group_id FROM ("
        f" SELECT cd_nom, CASE {' '.join(cases)} END AS group_id FROM {table}"
        f") AS new WHERE new.cd_nom = {table}.cd_nom"
        f" AND {table}.atlas_group_id IS DISTINCT FROM new.group_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
