"""Checks that need several rows or the database, run after every row was read (even rows with
errors: every problem is listed at once). Rows are grouped into sessions by (station,
programme, date), whose values must agree across rows; a session already in the database is
completed, never taken from another dataset; then the ring rules (``rings``). The result is the
write plan.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baguage.models import Session
from referentiel.models import Dataset

from .captures import CAPTURE_ACTIONS
from .columns import Headers
from .referential import Referential
from .result import CrbpoImportResult
from .rings import biometrics_warn, rings_check
from .rows import Row

# (key in Row.session, column key, label in messages)
SESSION_FIELDS = (
    ("start", "start", gettext_lazy("heure de début (HS)")),
    ("duration", "duration", gettext_lazy("durée (DS)")),
    ("nets_length", "nets_length", gettext_lazy("longueur de filets (FS)")),
    ("nets_count", "nets_count", gettext_lazy("nombre de filets (NF)")),
    ("memo", "session_memo", gettext_lazy("mémo de session")),
)


@dataclass
class Plan:
    """What the import will write: new sessions (their values read from the rows), the
    existing sessions it completes, and the rows whose captures it creates."""

    ref: Referential
    new_sessions: dict[tuple, dict] = field(default_factory=dict)
    existing_used: dict[tuple, Session] = field(default_factory=dict)
    captures: list[Row] = field(default_factory=list)

    @property
    def existing_completed(self) -> set[tuple]:
        """Existing sessions that receive at least one new capture."""
        return {
            row.session_key
            for row in self.captures
            if row.session_key in self.existing_used
        }


def plan_check(
    rows: list[Row],
    result: CrbpoImportResult,
    dataset: Dataset,
    *,
    header: Headers,
    ref: Referential,
    user=None,
) -> Plan:
    """Every check across rows; returns the write plan. A session of another dataset is named
    only when ``user`` may read its dataset."""
    sessions = _sessions_group(rows, result, header)
    plan = Plan(ref=ref)
    existing = _existing_sessions(sessions)
    for key, info in sessions.items():
        session = existing.get(key)
        if session is None:
            plan.new_sessions[key] = info
            continue
        if session.dataset_id != dataset.pk:
            _other_dataset(info, session, result, header, user)
        plan.existing_used[key] = session
    _permits_warn(plan.new_sessions, result, header)
    plan.captures = rings_check(rows, result, header, ref)
    for row in rows:
        if row.action in CAPTURE_ACTIONS and not row.bad and row.species is not None:
            biometrics_warn(row, result, header)
    return plan


def _sessions_group(rows: list[Row], result, header: Headers) -> dict[tuple, dict]:
    """One session per (station, programme, date); its values must agree across rows."""
    sessions: dict[tuple, dict] = {}
    for row in rows:
        key = row.session_key
        if key is None:
            continue
        info = sessions.setdefault(
            key,
            {
                "line": row.line,
                "station": row.station,
                "programme": row.programme,
                "date": row.date,
                "values": {},
                "lines": {},
                "ringers": [],
            },
        )
        for ringer in row.ringers:
            if ringer not in info["ringers"]:
                info["ringers"].append(ringer)
        _session_values_agree(row, info, result, header)
    return sessions


def _session_values_agree(row: Row, info: dict, result, header: Headers) -> None:
    for name, column, label in SESSION_FIELDS:
        if name not in row.session:
            continue
        value = row.session[name]
        if name not in info["values"]:
            info["values"][name] = value
            info["lines"][name] = row.line
        elif info["values"][name] != value:
            row.bad = True
            result.errors.add(
                row.line,
                header.of(column),
                _(
                    "%(label)s différente de celle de la ligne %(line)d pour la même "
                    "session (même date, station et programme)."
                )
                % {"label": label, "line": info["lines"][name]},
            )


def _other_dataset(info: dict, session: Session, result, header, user) -> None:
    readable = user is None or (
        Dataset.objects.visible_to(user).filter(pk=session.dataset_id).exists()
    )
    result.errors.add(
        info["line"],
        header.of("date"),
        _(
            "la session du %(date)s à %(station)s (%(programme)s) existe déjà dans "
            "un autre jeu de données (« %(dataset)s »)."
        )
        % {
            "date": info["date"].strftime("%d/%m/%Y"),
            "station": info["station"],
            "programme": info["programme"].programme.code,
            "dataset": session.dataset if readable else _("non consultable"),
        },
    )


def _permits_warn(new_sessions: dict, result, header: Headers) -> None:
    for info in new_sessions.values():
        for ringer in info["ringers"]:
            if not ringer.is_valid_on(info["date"]):
                result.warn(
                    info["line"],
                    header.of("ringer"),
                    _("le permis de %(ringer)s n'est pas valide le %(date)s.")
                    % {"ringer": ringer, "date": info["date"].strftime("%d/%m/%Y")},
                )


def _existing_sessions(sessions: dict) -> dict:
    if not sessions:
        return {}
    dates = {key[2] for key in sessions}
    stations = {key[0] for key in sessions}
    found = {}
    for session in (
        Session.objects.filter(date__in=dates, station_id__in=stations)
        .select_related("station__site", "programme__programme", "dataset")
        .prefetch_related("ringers__person")
        .order_by("pk")
    ):
        key = (session.station_id, session.programme_id, session.date)
        if key in sessions:
            found.setdefault(key, session)
    return found
