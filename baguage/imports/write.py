"""Writing a checked CRBPO file, all or nothing, in one transaction: the new sessions through
``session_save``, per session the first capture through ``capture_save`` (every entry check, its
occurrence published), the others in bulk (``bulk``). Any refusal rolls everything back and is
reported with its line and column.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from baguage.models import Session
from baguage.services import CaptureRefused, capture_save, session_save

from .bulk import BulkCaptures, refusal_errors
from .checks import Plan
from .result import CrbpoImportResult
from .rows import Row

DEFAULT_NET_LENGTH_M = 12  # CRBPO fallback when FS is empty: 12 m per net
_SESSION_COLUMNS = {
    "start_time": "start",
    "end_time": "duration",
    "nets_count": "nets_count",
    "nets_length_m": "nets_length",
    "comment": "session_memo",
}


class _Rollback(Exception):
    pass


def plan_write(plan: Plan, result: CrbpoImportResult, *, user, dataset, header) -> None:
    """All or nothing. Per session, the first capture goes through ``capture_save`` (every
    entry check, its occurrence published by ``occurrence_publish``); the others follow the
    same path in bulk (``BulkCaptures``), which 3,000 rows need to stay well under a
    minute."""
    try:
        with transaction.atomic():
            sessions = _sessions_create(
                plan, result, user=user, dataset=dataset, header=header
            )
            bulk = BulkCaptures(user=user, ref=plan.ref, result=result, header=header)
            _captures_create(plan, sessions, bulk, result, user=user, header=header)
            bulk.save()
            if result.errors:
                raise _Rollback
    except _Rollback:
        return
    plan_count(plan, result)


def plan_count(plan: Plan, result: CrbpoImportResult) -> None:
    """What the plan creates (or would create, on a dry run)."""
    result.sessions_created = len(plan.new_sessions)
    result.sessions_existing = len(plan.existing_completed)
    result.captures_created = len(plan.captures)


def _sessions_create(plan: Plan, result, *, user, dataset, header) -> dict:
    sessions = dict(plan.existing_used)
    for key, info in plan.new_sessions.items():
        try:
            sessions[key] = _session_create(info, user=user, dataset=dataset)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    column = header.of(_SESSION_COLUMNS.get(name, "date"))
                    result.errors.add(info["line"], column, message)
    if result.errors:
        raise _Rollback
    return sessions


def _captures_create(plan: Plan, sessions: dict, bulk, result, *, user, header) -> None:
    by_session: dict[tuple, list[Row]] = {}
    for row in plan.captures:
        by_session.setdefault(row.session_key, []).append(row)
    for key, rows in by_session.items():
        first = rows[0]
        try:
            capture, _warnings = capture_save(
                session=sessions[key], user=user, fields=first.fields, confirm=True
            )
        except CaptureRefused as refusal:
            refusal_errors(result, header, first.line, refusal.message_dict)
            continue
        bulk.add(capture, rows[1:])
    if result.errors:
        raise _Rollback


def _session_create(info: dict, *, user, dataset) -> Session:
    values = info["values"]
    length = values.get("nets_length")
    count = values.get("nets_count", 0)
    if length is None:
        length = Decimal(DEFAULT_NET_LENGTH_M * count)
    start, end = values.get("start"), None
    if start is not None and values.get("duration") is not None:
        end = (dt.datetime.combine(info["date"], start) + values["duration"]).time()
    return session_save(
        user=user,
        fields={
            "station": info["station"],
            "programme": info["programme"],
            "dataset": dataset,
            "date": info["date"],
            "start_time": start,
            "end_time": end,
            "nets_count": count,
            "nets_length_m": length,
            "comment": values.get("memo", ""),
        },
        ringers=info["ringers"],
    )
