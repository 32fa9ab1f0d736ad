"""Model validation without the round trips that the save makes anyway.

``Model.full_clean`` asks the database, before the save, what the save's own INSERT or
UPDATE checks again: one query per relation (does the related row exist?), one per unique
field or constraint, and three per CHECK constraint (SAVEPOINT, SELECT, RELEASE). On an
occurrence that is 37 of the 94 queries of a capture save. Here, the fields are validated
in Python (:func:`validate_fields`) and PostgreSQL enforces relations, uniqueness and
CHECK constraints at the save (:func:`save_validated`), whose violation becomes the same
``ValidationError`` with the constraint's French message.

Where a form must show every error at once (an entry form), :func:`check_constraints`
evaluates all the CHECK constraints of the model in one query, as ``full_clean`` does one
by one. Call :func:`save_validated` inside the service's transaction: a violation aborts
the statement, and the exception that leaves the ``atomic`` block rolls it back.
"""

from contextlib import nullcontext

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    models,
    transaction,
)
from django.db.models import BooleanField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def validate_fields(instance: models.Model, *, exclude=()) -> None:
    """``full_clean`` without its queries: relations already loaded on ``instance`` are
    not looked up again; uniqueness and CHECK constraints are left to the save."""
    loaded = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and field.is_cached(instance)
    ]
    instance.full_clean(
        exclude=[*exclude, *loaded], validate_unique=False, validate_constraints=False
    )


def save_validated(instance: models.Model, **save_kwargs) -> None:
    """``instance.save()``; a violated constraint or unique field raises the
    ``ValidationError`` that ``full_clean`` would have raised, keyed as it keys them."""
    try:
        instance.save(**save_kwargs)
    except IntegrityError as error:
        diagnostic = getattr(error.__cause__, "diag", None)
        errors = violation_errors(
            instance, getattr(diagnostic, "constraint_name", None)
        )
        if errors is None:
            raise
        raise ValidationError(errors) from error


def violation_errors(instance: models.Model, name: str | None) -> dict | None:
    """``{field or NON_FIELD_ERRORS: [message]}`` for the database constraint ``name`` of
    the instance's table, or None when it is not one of the model's."""
    if not name:
        return None
    opts = instance._meta
    for constraint in opts.constraints:
        if constraint.name != name:
            continue
        fields = list(getattr(constraint, "fields", ()))
        if isinstance(constraint, models.UniqueConstraint) and (
            constraint.violation_error_message
            == constraint.default_violation_error_message
        ):
            message = instance.unique_error_message(type(instance), fields)
        else:
            message = constraint.get_violation_error_message()
        key = fields[0] if len(fields) == 1 else NON_FIELD_ERRORS
        return {key: [message]}
    for field in opts.concrete_fields:
        # PostgreSQL's name for the constraint of a unique column.
        if field.unique and name == f"{opts.db_table}_{field.column}_key":
            return {
                field.name: [
                    instance.unique_error_message(type(instance), [field.name])
                ]
            }
    return None


def check_constraints(instance: models.Model, *, exclude=()) -> None:
    """Raise the ``ValidationError`` of the model's violated CHECK constraints (keyed
    ``NON_FIELD_ERRORS``, as ``full_clean`` keys them), all evaluated in a single query.

    What ``CheckConstraint.validate`` does for one constraint (``Q.check``: the instance's
    values as annotations, the condition over them), done for all of them in one SELECT;
    a constraint on an excluded field is skipped, as there. A database error (a geometry
    GEOS cannot read) fails no constraint here: the save's own check reports it."""
    exclude = set(exclude)
    constraints = [
        constraint
        for constraint in instance._meta.constraints
        if isinstance(constraint, models.CheckConstraint)
        and not (Q(constraint.condition).referenced_base_fields & exclude)
    ]
    if not constraints:
        return
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=exclude)
    for name, value in against.items():
        if not hasattr(value, "resolve_expression"):
            value = Value(value)
        query.add_annotation(value, name, select=False)
    for position, constraint in enumerate(constraints):
        holds = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
        query.add_annotation(holds, f"holds_{position}")
    connection = connections[DEFAULT_DB_ALIAS]
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            row = query.get_compiler(using=DEFAULT_DB_ALIAS).execute_sql(SINGLE)
    except DatabaseError:
        return
    messages = [
        ValidationError(
            constraint.get_violation_error_message(),
            code=constraint.violation_error_code,
        )
        for constraint, holds in zip(constraints, row, strict=True)
        if not holds
    ]
    if messages:
        raise ValidationError({NON_FIELD_ERRORS: messages})
