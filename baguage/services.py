"""The only way ringing data is written: captures checked at entry, rings taken from stock,
and every capture published as an occurrence (observations.services)."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from baguage.models import (
    FRANCE_SCHEME,
    Capture,
    EuringSpecies,
    RingSeries,
    Session,
)
from baguage.permissions import captures_shown_to
from cpie_naturaliste.core.validation import save_validated, validate_fields
from observations.models import Source
from observations.services import occurrence_delete, occurrence_publish
from referentiel.models import Person

RING_CLEAN = re.compile(r"[\s.\-]+")
RING_PARTS = re.compile(r"^([A-Z]*)(\d+)$")
# EURING age → SINP life stage (STADE_VIE): pullus is juvenile, first-year "juvénile" too.
LIFE_STAGE = {"1": "3", "3": "3", "5": "2", "4": "2", "6": "2"}
SEX_SINP = {"M": "3", "F": "2", "U": "1"}
# Stock warning: a size with fewer rings left than this is flagged on the stock page.
LOW_STOCK = 50


def ring_normalise(text: str) -> str:
    """``"ea 12.345"`` → ``"EA12345"``: what ringers type, as rings are written."""
    return RING_CLEAN.sub("", text or "").upper()


def ring_series_of(number: str, *, size: str = "") -> RingSeries | None:
    """The French series holding ring ``number`` (prefix and number within its range;
    the number may be typed without its leading zeros)."""
    match = RING_PARTS.match(number)
    if not match:
        return None
    prefix, digits = match.group(1), int(match.group(2))
    typed = len(match.group(2))
    candidates = RingSeries.objects.filter(
        scheme=FRANCE_SCHEME, prefix=prefix, first__lte=digits, last__gte=digits
    )
    if size:
        candidates = candidates.filter(size=size)
    for series in candidates:
        if series.ring(digits) == number or typed < series.digits:
            return series
    return None


def ring_canonical(number: str, series: RingSeries) -> str:
    """The ring as the series writes it (``"EA1000"`` → ``"EA0001000"``)."""
    return series.ring(int(RING_PARTS.match(number).group(2)))


def ring_history(scheme: str, number: str) -> list[Capture]:
    """Every capture of this ring, oldest first (the ringing, then controls)."""
    return list(
        Capture.objects.filter(ring_scheme=scheme, ring_number=number)
        .select_related("session__station", "taxon")
        .order_by("session__date", "time", "id")
    )


@dataclass
class CaptureCheck:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Warnings that need the ringer's confirmation before saving (e.g. species change).
    to_confirm: list[str] = field(default_factory=list)
    series: RingSeries | None = None

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def capture_check(capture: Capture, user) -> CaptureCheck:
    """Entry checks: refuse a B ring already used or not in stock, a future date; ask to
    confirm a C ring seen on another species; warn on biometrics outside the species'
    usual range. The date and species of an earlier capture of the ring are named only
    when ``user`` (None: a command-line import) may place it (baguage.permissions): a protected bird's ringing is not
    told through another structure's entry form."""
    check = CaptureCheck()
    capture.ring_number = ring_normalise(capture.ring_number)
    capture.ring_scheme = (capture.ring_scheme or FRANCE_SCHEME).upper()
    if not capture.ring_number:
        check.error("ring_number", _("Numéro de bague obligatoire."))
        return check
    session = capture.session
    # The species' usual ring size and biometrics (EURING reference), read once.
    reference = EuringSpecies.objects.filter(taxon__cd_ref=capture.taxon.cd_ref).first()
    if session.date > timezone.localdate():
        check.error("session", _("La date de la session est dans le futur."))
    if capture.action == Capture.Action.RINGED and capture.ring_scheme == FRANCE_SCHEME:
        check.series = ring_series_of(capture.ring_number, size=capture.ring_size)
        if check.series is not None:
            capture.ring_number = ring_canonical(capture.ring_number, check.series)
    others = Capture.objects.filter(
        ring_scheme=capture.ring_scheme, ring_number=capture.ring_number
    ).exclude(pk=capture.pk)
    if capture.action == Capture.Action.RINGED:
        if capture.ring_scheme != FRANCE_SCHEME:
            check.error(
                "ring_scheme", _("Une bague posée (B) est une bague du centre FRP.")
            )
        elif others.filter(action=Capture.Action.RINGED).exists():
            first = others.filter(action=Capture.Action.RINGED).first()
            if _told(user, Capture.objects.filter(pk=first.pk)).exists():
                message = _(
                    "La bague %(ring)s a déjà été posée le %(date)s (%(species)s)."
                ) % {
                    "ring": capture.ring_number,
                    "date": f"{first.session.date:%d/%m/%Y}",
                    "species": first.taxon.scientific_name,
                }
            else:
                message = _(
                    "La bague %(ring)s a déjà été posée (donnée d'un autre organisme "
                    "non détaillée)."
                ) % {"ring": capture.ring_number}
            check.error("ring_number", message)
        else:
            if check.series is None:
                check.error(
                    "ring_number",
                    _(
                        "La bague %(ring)s n'appartient à aucune série reçue"
                        "%(size)s : vérifiez le numéro ou enregistrez la série."
                    )
                    % {
                        "ring": capture.ring_number,
                        "size": f" de taille {capture.ring_size}"
                        if capture.ring_size
                        else "",
                    },
                )
            else:
                capture.ring_size = capture.ring_size or check.series.size
                usual = reference.ring_size if reference else ""
                if usual and usual != check.series.size:
                    check.warnings.append(
                        _(
                            "Bague de taille %(size)s pour une espèce baguée d'ordinaire "
                            "en %(usual)s : vérifiez la bague."
                        )
                        % {"size": check.series.size, "usual": usual}
                    )
    else:
        elsewhere = others.exclude(taxon__cd_ref=capture.taxon.cd_ref)
        shown = _told(user, elsewhere)
        species = set(shown.values_list("taxon__scientific_name", flat=True))
        if elsewhere.count() > shown.count():
            species.add(_("donnée d'un autre organisme non détaillée"))
        if species:
            check.to_confirm.append(
                _(
                    "La bague %(ring)s a été notée sur une autre espèce (%(species)s) : "
                    "confirmez l'espèce."
                )
                % {"ring": capture.ring_number, "species": ", ".join(sorted(species))}
            )
    check.warnings.extend(_biometrics_warnings(capture, reference))
    return check


def _told(user, captures):
    """The captures whose date and species an entry message may name to ``user`` (None:
    an operator's command-line import, which reads everything)."""
    return captures if user is None else captures_shown_to(user, captures)


def _biometrics_warnings(
    capture: Capture, reference: EuringSpecies | None
) -> list[str]:
    if reference is None:
        return []
    warnings = []
    for value, low, high, label, unit in (
        (capture.wing_mm, reference.wing_min, reference.wing_max, _("Aile"), "mm"),
        (capture.mass_g, reference.mass_min, reference.mass_max, _("Masse"), "g"),
    ):
        if value is None or low is None or high is None:
            continue
        if not Decimal(low) <= Decimal(value) <= Decimal(high):
            warnings.append(
                _(
                    "%(label)s de %(value)s %(unit)s hors de l'intervalle habituel de "
                    "l'espèce (%(low)s–%(high)s %(unit)s) : vérifiez la mesure."
                )
                % {
                    "label": label,
                    "value": _decimal_fr(value),
                    "unit": unit,
                    "low": _decimal_fr(low),
                    "high": _decimal_fr(high),
                }
            )
    return warnings


def _decimal_fr(value) -> str:
    """``Decimal("85.0")`` → ``"85"``, ``Decimal("12.5")`` → ``"12,5"``."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


class CaptureRefused(ValidationError):
    """Errors per field; ``to_confirm`` holds the questions that a confirmation answers."""

    def __init__(self, errors, to_confirm=()):
        super().__init__(errors)
        self.to_confirm = list(to_confirm)


@transaction.atomic
def capture_save(
    *,
    session: Session,
    user,
    fields: dict,
    capture: Capture | None = None,
    confirm: bool = False,
) -> tuple[Capture, list[str]]:
    """Create or change a capture of ``session`` and its published occurrence; returns the
    capture and the warnings to show. Raises ``CaptureRefused``."""
    if capture is None:
        capture = Capture(session=session, created_by=user)
        last = session.captures.order_by("-line").values_list("line", flat=True).first()
        capture.line = (last or 0) + 1
    for name, value in fields.items():
        setattr(capture, name, value)
    capture.updated_by = user
    check = capture_check(capture, user)
    if check.errors:
        raise CaptureRefused(check.errors)
    if check.to_confirm and not confirm:
        raise CaptureRefused({"__all__": check.to_confirm}, to_confirm=check.to_confirm)
    capture.series = check.series if capture.action == Capture.Action.RINGED else None
    validate_fields(capture, exclude=["occurrence", "series", "session"])
    # The occurrence first, so that the capture is written once, with its link. A ring
    # taken meanwhile by another entry (the unique constraint) refuses the line, and the
    # transaction takes the occurrence back with it.
    capture.occurrence = occurrence_publish(
        occurrence=capture.occurrence,
        user=user,
        source=Source.BAGUAGE,
        observers=Person.objects.filter(ringer__sessions=session).select_related(
            "organisation"
        ),
        **capture_occurrence_fields(capture),
    )
    try:
        save_validated(capture)
    except ValidationError as error:
        # The only constraint the checks above leave to the save: the ring used once.
        raise CaptureRefused({"ring_number": error.messages}) from error
    return capture, check.warnings


@transaction.atomic
def capture_delete(*, capture: Capture, user) -> None:
    occurrence = capture.occurrence
    capture.delete()
    if occurrence is not None:
        occurrence_delete(occurrence=occurrence, user=user)


def capture_occurrence_fields(capture: Capture) -> dict:
    session = capture.session
    site = session.station.site
    net = None
    if capture.net is not None:
        net = session.station.nets.filter(number=capture.net).exclude(geom=None).first()
    dead = capture.action == Capture.Action.RECOVERY or capture.condition in "123"
    ring = f"{capture.ring_scheme} {capture.ring_number}"
    return {
        "dataset": session.dataset,
        "programme": session.programme.programme,
        "taxon": capture.taxon,
        "date_start": session.date,
        "date_end": session.date,
        "time_start": capture.time,
        "geom": net.geom if net else site.geom.point_on_surface,
        "site": site,
        "count_min": 1,
        "count_max": 1,
        "count_object": "IND",
        "count_type": "Co",
        "sex": SEX_SINP.get(capture.sex, "1"),
        "life_stage": LIFE_STAGE.get(capture.age, "1"),
        "bio_condition": "3" if dead else "2",
        "obs_technique": "0",
        "determination_method": "21",
        "cited_name": capture.taxon.scientific_name,
        "comment": _("Capture au filet (baguage %(action)s, bague %(ring)s).")
        % {"action": capture.action, "ring": ring},
    }


def session_protocol_problems(session: Session) -> list[str]:
    """STOC sessions against the CRBPO protocol: a reference date (Julian day 138, 165 or
    188, ± 10 days), at least 3 hours, at least 4 captures."""
    if not session.programme.is_stoc:
        return []
    problems = []
    day = session.date.timetuple().tm_yday
    if (
        min(abs(day - reference) for reference in STOC_REFERENCE_DAYS)
        > STOC_DAY_TOLERANCE
    ):
        problems.append(
            _(
                "Date hors des périodes de référence STOC (18 mai, 14 juin, 7 juillet "
                "± 10 jours)."
            )
        )
    hours = session.duration_hours
    if hours is None:
        problems.append(_("Heures de début et de fin non renseignées."))
    elif hours < STOC_MIN_HOURS:
        problems.append(
            _("Session de %(hours).1f h : le protocole demande au moins 3 heures.")
            % {"hours": hours}
        )
    # Every capture of the session, also those a reader is not shown (the protocol is met
    # or not by the session, whoever reads it).
    captures = getattr(session, "stored_capture_count", None)
    if captures is None:
        captures = session.captures.count()
    if captures < STOC_MIN_CAPTURES:
        problems.append(
            _("%(n)d capture(s) : une session STOC en demande au moins 4.")
            % {"n": captures}
        )
    return problems


STOC_REFERENCE_DAYS = (138, 165, 188)
STOC_DAY_TOLERANCE = 10
STOC_MIN_HOURS = 3
STOC_MIN_CAPTURES = 4


def ring_stock() -> list[dict]:
    """Per ring size: rings received, used (B), left, and whether the size runs low."""
    received: dict[str, int] = {}
    for series in RingSeries.objects.filter(scheme=FRANCE_SCHEME):
        received[series.size] = received.get(series.size, 0) + series.count
    used = dict(
        Capture.objects.filter(action=Capture.Action.RINGED, series__isnull=False)
        .values_list("series__size")
        .annotate(n=Count("id"))
        .values_list("series__size", "n")
    )
    rows = []
    for size in sorted(received):
        left = received[size] - used.get(size, 0)
        rows.append(
            {
                "size": size,
                "received": received[size],
                "used": used.get(size, 0),
                "left": left,
                "low": left < LOW_STOCK,
            }
        )
    return rows


def next_free_ring(size: str) -> str | None:
    """The lowest unused ring of ``size`` (what the entry grid proposes)."""
    used = set(
        Capture.objects.filter(
            action=Capture.Action.RINGED, series__size=size
        ).values_list("ring_number", flat=True)
    )
    for series in RingSeries.objects.filter(scheme=FRANCE_SCHEME, size=size).order_by(
        "received_on", "first"
    ):
        for number in range(series.first, series.last + 1):
            ring = series.ring(number)
            if ring not in used:
                return ring
    return None


def session_date_check(date: dt.date) -> None:
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})


@transaction.atomic
def session_save(
    *,
    user,
    fields: dict,
    ringers=None,
    session: Session | None = None,
) -> Session:
    """Create or change a ringing session (not in the future, times in order) and set
    its ringers when given. Raises ``ValidationError`` with French messages per field."""
    if session is None:
        session = Session(created_by=user)
    for name, value in fields.items():
        setattr(session, name, value)
    session.updated_by = user
    if session.date is not None:
        session_date_check(session.date)
    session.full_clean()
    session.save()
    if ringers is not None:
        session.ringers.set(ringers)
    return session
