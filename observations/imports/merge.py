"""From the checked staging table into the occurrence table, in the caller's transaction.

Column lists come from the Occurrence model's metadata: a field fed by the file takes the staged
value, any other field its model default. Rows with an idSINPOccTax upsert on it; the others on
(dataset, source key). An existing row is only rewritten when a column the file maps differs,
and then goes back to "en attente" (its previous validation kept in the validation history) with
the changed fields recorded as an OccurrenceChange, as an edit in the form would do.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from observations.models import (
    Occurrence,
    OccurrenceChange,
    OccurrenceDeletion,
    Source,
    Validation,
)
from observations.services.derived import DERIVED, derived_join_sql
from referentiel.models import Taxon

from .columns import TARGETS_BY_KEY
from .rows import STAGING
from .staging import LABEL_NAME_SQL, OCC, PEOPLE_SQL, TABLE, check_errors

WRITTEN = "observations_import_written"
CHANGES = "observations_import_changes"
TAXON = Taxon._meta.db_table
STAGED = {name for name, _kind in STAGING} - {"line", "uuid", "source_key"}
# Target → occurrence columns it rewrites on an existing row.
UPDATED_BY = {
    "cdNom": ("taxon_id",),
    "nomCite": ("cited_name",),
    "dateDebut": ("date_start", "date_end"),
    "dateFin": ("date_end",),
    "heureDebut": ("time_start",),
    "heureFin": ("time_end",),
    "geometrie": ("geom",),
    "longitude": ("geom",),
    "x": ("geom",),
    "precisionGeometrie": ("precision_m",),
    "nomLieu": ("place_name",),
    "altitudeMin": ("altitude_min",),
    "altitudeMax": ("altitude_max",),
    "observateur": ("observers_label",),
    "determinateur": ("determiner_id", "determiner_label"),
    "denombrementMin": ("count_min", "count_max"),
    "denombrementMax": ("count_min", "count_max"),
    "statutObservation": ("observation_status", "count_min", "count_max"),
    "uRLPreuveNumerique": ("proof_url",),
    "preuveNonNumerique": ("proof_text",),
    "commentaire": ("comment",),
}


def _new_value(column: str) -> str:
    """SQL for the value a staged row gives ``column`` (staging alias s, taxon alias t)."""
    if column == "cited_name":
        return "COALESCE(NULLIF(s.cited_name, ''), t.scientific_name)"
    return f"s.{column}"


@dataclass(frozen=True)
class MergePlan:
    """What one import writes: ``updated`` are the columns its mapping rewrites."""

    updated: tuple[str, ...]
    dataset_id: int
    programme_id: int | None
    user_id: int | None
    batch_id: int

    @classmethod
    def for_mapping(cls, *, columns: dict, **ids) -> "MergePlan":
        updated: list[str] = []
        for key in columns:
            target = TARGETS_BY_KEY[key]
            names = UPDATED_BY.get(key, ())
            if target.kind == "code":
                names = (*names, target.field)
            updated.extend(n for n in names if n not in updated)
        return cls(updated=tuple(updated), **ids)

    def changed_rows_sql(self) -> str:
        """Staged rows that would change an existing occurrence: line, id, owner, validated,
        and the changes as {"column": [before, after]} (what occurrence_update records)."""
        news = ", ".join(f"{_new_value(c)} AS {c}" for c in self.updated)
        pairs = ", ".join(
            f"'{c}', CASE WHEN o.{c} IS DISTINCT FROM n.{c} THEN jsonb_build_array("
            f"{_jsonable('o', c)}, {_jsonable('n', c)}) END"
            for c in self.updated
        )
        return (
            f"SELECT n.line, o.id, o.created_by_id AS owner,"
            f" o.validation_status <> 0 AS validated, o.uuid, o.taxon_id,"
            f" o.date_start, o.dataset_id, o.validation_status,"
            f" o.sensitivity_level AS old,"
            f" jsonb_strip_nulls(jsonb_build_object({pairs})) AS changes"
            f" FROM (SELECT s.line, s.existing_id, {news} FROM {TABLE} s"
            f" LEFT JOIN {TAXON} t ON t.cd_nom = s.taxon_id"
            f" WHERE s.existing_id IS NOT NULL) n JOIN {OCC} o ON o.id = n.existing_id"
            f" WHERE {_differs('o', 'n', self.updated)}"
        )


def _jsonable(alias: str, column: str) -> str:
    if column == "geom":
        return f"ST_AsText({alias}.geom)"
    return f"{alias}.{column}"


def _differs(old: str, new: str, columns: tuple[str, ...]) -> str:
    left = ", ".join(f"{old}.{c}" for c in columns)
    right = ", ".join(f"{new}.{c}" for c in columns)
    return f"ROW({left}) IS DISTINCT FROM ROW({right})"


def _insert_sql(plan: MergePlan, *, with_uuid: bool) -> tuple[str, list]:
    columns, values, params = [], [], []
    constants = {
        "created_by_id": plan.user_id,
        "updated_by_id": plan.user_id,
        "dataset_id": plan.dataset_id,
        "programme_id": plan.programme_id,
        "import_batch_id": plan.batch_id,
        "source": Source.IMPORT.value,
    }
    for field in Occurrence._meta.concrete_fields:
        column = field.column
        if field.primary_key:
            continue
        columns.append(column)
        if column == "uuid":
            values.append("s.uuid" if with_uuid else "gen_random_uuid()")
        elif column == "source_key":
            values.append("s.source_key")
        elif column in ("created_at", "updated_at"):
            values.append("now()")
        elif column in DERIVED:
            values.append(DERIVED[column])
        elif column in STAGED or column == "determiner_id":
            values.append(_new_value(column))
        else:
            value = constants.get(column, field.get_default())
            values.append(f"CAST(%s AS {field.db_type(connection)})")
            params.append(field.get_db_prep_save(value, connection))
    updates = [f"{c} = EXCLUDED.{c}" for c in (*plan.updated, *DERIVED)]
    updates += [
        "updated_at = EXCLUDED.updated_at",
        "updated_by_id = EXCLUDED.updated_by_id",
        "validation_status = 0",
        "validator_id = NULL",
        "validated_at = NULL",
        "validation_comment = ''",
    ]
    target = (
        "(uuid)"
        if with_uuid
        else "(dataset_id, source_key) WHERE NOT (source_key = '')"
    )
    sql = (
        f"WITH written AS (INSERT INTO {OCC} AS o ({', '.join(columns)})"
        f" SELECT {', '.join(values)} FROM {TABLE} s"
        f" JOIN {TAXON} t ON t.cd_nom = s.taxon_id"
        f"{derived_join_sql(geom='s.geom', taxon='t', row='s', places='s')}"
        f" WHERE s.uuid IS {'NOT ' if with_uuid else ''}NULL"
        f" ON CONFLICT {target} DO UPDATE SET {', '.join(updates)}"
        f" WHERE o.dataset_id = EXCLUDED.dataset_id"
        f" AND {_differs('o', 'EXCLUDED', plan.updated)}"
        f" RETURNING o.id, (o.xmax = 0) AS created, o.observers_label)"
        f" INSERT INTO {WRITTEN} SELECT * FROM written"
    )
    return sql, params


def merge_run(*, cursor, plan: MergePlan, batch_label: str) -> tuple[int, int]:
    """Write the staged rows; returns (created, updated). Call inside a transaction."""
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{WRITTEN}, pg_temp.{CHANGES}")
    cursor.execute(
        f"CREATE TEMP TABLE {WRITTEN} (id bigint, created boolean, label text)"
        f" ON COMMIT DROP"
    )
    _history(cursor, plan, batch_label)
    for with_uuid in (True, False):
        sql, params = _insert_sql(plan, with_uuid=with_uuid)
        cursor.execute(sql, params)
    _link_observers(cursor)
    _hidden_tombstones(cursor)
    cursor.execute(
        f"SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)"
        f" FROM {WRITTEN}"
    )
    created, updated = cursor.fetchone()
    return created, updated


def _history(cursor, plan: MergePlan, batch_label: str) -> None:
    """Before rewriting existing rows: their changes, and their validation put back to 0."""
    change, validation = OccurrenceChange._meta, Validation._meta
    cursor.execute(
        f"CREATE TEMP TABLE {CHANGES} ON COMMIT DROP AS {plan.changed_rows_sql()}"
    )
    cursor.execute(
        f"INSERT INTO {change.db_table} (occurrence_id, action, changes, user_id, at)"
        f" SELECT id, %s, changes, %s, now() FROM {CHANGES}",
        [OccurrenceChange.Action.UPDATE.value, plan.user_id],
    )
    cursor.execute(
        f"INSERT INTO {validation.db_table} (occurrence_id, status, validator_id,"
        f" comment, validated_at, is_automatic)"
        f" SELECT id, 0, %s, %s, now(), true FROM {CHANGES}"
        f" WHERE validated",
        [
            plan.user_id,
            _("Remise en attente après modification par l'import %s.") % batch_label,
        ],
    )


def _hidden_tombstones(cursor) -> None:
    """Rows the import rewrote to sensitivity level 4 (another taxon, date or place) leave
    the view of readers who may not place them: a "withdrawn" tombstone with their read
    state before (``occurrences_tombstone``). The dataset and the author never change
    here (the upsert keeps them)."""
    tomb = OccurrenceDeletion._meta.db_table
    cursor.execute(
        f"INSERT INTO {tomb} (uuid, taxon_id, date_start, dataset_id, created_by_id,"
        f" validation_status, sensitivity_level, reason, deleted_at)"
        f" SELECT c.uuid, c.taxon_id, c.date_start, c.dataset_id, c.owner,"
        f" c.validation_status, c.old, %s, statement_timestamp()"
        f" FROM {CHANGES} c JOIN {OCC} o ON o.id = c.id"
        f" WHERE o.sensitivity_level = 4 AND c.old < 4",
        [OccurrenceDeletion.Reason.WITHDRAWN.value],
    )


def _link_observers(cursor) -> None:
    """Link each "NOM Prénom" of observers_label to the only person of that name, if any.

    Names are matched once per distinct label (a file repeats a few observers), then joined
    back to the rows written."""
    through = Occurrence.observers.through._meta.db_table
    name = LABEL_NAME_SQL.format(label="part")
    cursor.execute(
        f"INSERT INTO {through} (occurrence_id, person_id)"
        f" SELECT w.id, m.person FROM {WRITTEN} w JOIN (SELECT DISTINCT l.label,"
        f" p.id AS person FROM (SELECT DISTINCT label FROM {WRITTEN}) l,"
        f" unnest(string_to_array(l.label, ',')) AS part"
        f" JOIN ({PEOPLE_SQL}) p ON p.name = {name}) m ON m.label = w.label"
        f" ON CONFLICT DO NOTHING"
    )


def foreign_changes_check(plan: MergePlan, owner_id: int) -> tuple[str, list]:
    """(SQL, params) of the lines that would change occurrences someone else entered."""
    return (
        f"SELECT line FROM ({plan.changed_rows_sql()}) AS changed"
        f" WHERE owner IS DISTINCT FROM %s",
        [owner_id],
    )


def merge_foreign_changes(
    *, cursor, plan: MergePlan, owner_id: int, column: str, limit: int
) -> tuple[list[dict], int]:
    """Rows that would change occurrences someone else entered (scope "mes données")."""
    rows, total = check_errors(cursor, *foreign_changes_check(plan, owner_id), limit)
    message = _(
        "cette observation existe déjà, saisie par une autre personne : vous ne pouvez "
        "modifier que vos propres observations."
    )
    return [{"line": r[0], "column": column, "message": message} for r in rows], total
