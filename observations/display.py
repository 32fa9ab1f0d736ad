"""An occurrence and its history as people read them: French labels, code-list labels
instead of codes, names instead of ids, places instead of WKT (the detail page)."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from observations.models import Occurrence, OccurrenceChange, Validation
from observations.services import nomenclature_names
from referentiel.models import Commune, Dataset, Person, Programme, Site, Taxon

EMPTY = "—"
# History keys that are foreign-key ids → the model whose name to show.
RELATED = {
    "taxon_id": Taxon,
    "dataset_id": Dataset,
    "site_id": Site,
    "programme_id": Programme,
    "determiner_id": Person,
}


@dataclass
class Link:
    """A row value shown as a link (a proof's URL: a photo, a recording)."""

    url: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Section:
    title: str
    rows: list[tuple[str, "str | Link"]]


@dataclass
class HistoryEntry:
    action: str
    kind: str
    user: str
    at: dt.datetime
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""


def field_label(name: str) -> str:
    return str(capfirst(Occurrence._meta.get_field(name).verbose_name))


def code_label(name: str, code) -> str:
    """French label of the SINP code stored in nomenclature field ``name``."""
    if code in (None, ""):
        return EMPTY
    return nomenclature_names(Occurrence.NOMENCLATURES[name]).get(str(code), str(code))


def user_name(user) -> str:
    if user is None:
        return _("(automatique)")
    return user.get_full_name() or user.username


def _text(value) -> str:
    if value in (None, ""):
        return EMPTY
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "d/m/Y H:i")


def area_label(square_metres: float) -> str:
    """An area as people read it, in French: "850 m²", "27,3 ha", "277,1 km² (27 709 ha)"
    (Django's number_format cuts decimals: round first)."""
    hectares = round(square_metres / 10_000, 1)
    if hectares < 1:
        return f"{number_format(round(square_metres), 0, force_grouping=True)} m²"
    if hectares < 100:
        return f"{number_format(hectares, 1)} ha"
    return _("%(km2)s km² (%(ha)s ha)") % {
        "km2": number_format(round(square_metres / 1e6, 1), 1, force_grouping=True),
        "ha": number_format(round(square_metres / 10_000), 0, force_grouping=True),
    }


def place_summary(geom: GEOSGeometry) -> str:
    """ "50,45770 N, 2,77850 E" for a point; kind, vertices and size otherwise."""
    if geom.geom_type == "Point":
        point = geom.transform(settings.API_SRID, clone=True)
        return _("%(lat)s N, %(lon)s E") % {
            "lat": number_format(point.y, 5),
            "lon": number_format(point.x, 5),
        }
    if geom.geom_type == "LineString":
        return _("Ligne de %(n)d points, %(m)s m") % {
            "n": geom.num_points,
            "m": number_format(round(geom.length), 0, force_grouping=True),
        }
    if geom.geom_type == "Polygon":
        return _("Polygone de %(n)d sommets, %(ha)s ha") % {
            "n": geom.num_points - 1,
            "ha": number_format(geom.area / 10000, 2),
        }
    return geom.geom_type


def occurrence_sections(occurrence: Occurrence) -> list[Section]:
    """Every field of the record, grouped as on the entry form."""
    o = occurrence
    communes = dict(
        Commune.objects.filter(insee__in=o.communes).values_list("insee", "name")
    )
    counts = (
        _text(o.count_min)
        if o.count_min == o.count_max
        else f"{_text(o.count_min)} – {_text(o.count_max)}"
    )
    dates = (
        _text(o.date_start)
        if o.date_start == o.date_end
        else _("du %(start)s au %(end)s")
        % {"start": _text(o.date_start), "end": _text(o.date_end)}
    )
    times = EMPTY
    if o.time_start or o.time_end:
        times = f"{_text(o.time_start)} – {_text(o.time_end)}"

    def codes(*names):
        return [(field_label(n), code_label(n, getattr(o, n))) for n in names]

    return [
        Section(
            _("Observation"),
            [
                (field_label("taxon"), str(o.taxon)),
                (_("cd_nom"), str(o.taxon_id)),
                (field_label("cited_name"), _text(o.cited_name)),
                *codes("observation_status"),
                (_("Date"), dates),
                (_("Heures"), times),
                (field_label("observers"), _text(o.observers_label)),
                (field_label("determiner"), _text(o.determiner_name)),
                (field_label("dataset"), str(o.dataset)),
                (field_label("programme"), _text(o.programme)),
                (field_label("source"), o.get_source_display()),
            ],
        ),
        Section(
            _("Lieu"),
            [
                (_("Localisation"), place_summary(o.geom)),
                (field_label("precision_m"), _text(o.precision_m)),
                *codes("geo_object_nature"),
                (field_label("place_name"), _text(o.place_name)),
                (field_label("site"), _text(o.site)),
                (
                    _("Communes"),
                    ", ".join(f"{communes.get(c, c)} ({c})" for c in o.communes)
                    or EMPTY,
                ),
                (field_label("departement"), _text(o.departement)),
                (field_label("grid_10km"), _text(o.grid_10km)),
            ],
        ),
        Section(
            _("Dénombrement et description"),
            [
                (_("Dénombrement"), counts),
                *codes(
                    "count_object",
                    "count_type",
                    "sex",
                    "life_stage",
                    "bio_condition",
                    "bio_status",
                    "behaviour",
                    "obs_technique",
                    "naturalness",
                    "biogeo_status",
                    "determination_method",
                ),
            ],
        ),
        Section(
            _("Preuve, source et diffusion"),
            [
                *codes("proof_exists"),
                (
                    field_label("proof_url"),
                    Link(o.proof_url, o.proof_url) if o.proof_url else EMPTY,
                ),
                (field_label("proof_text"), _text(o.proof_text)),
                *codes("source_status"),
                (field_label("comment"), _text(o.comment)),
                (field_label("atlas_group"), _text(o.atlas_group)),
                (
                    field_label("sensitivity_level"),
                    nomenclature_names("SENSIBILITE").get(
                        str(o.sensitivity_level), str(o.sensitivity_level)
                    ),
                ),
                (
                    field_label("diffusion_level"),
                    nomenclature_names("NIV_PRECIS").get(
                        str(o.diffusion_level), str(o.diffusion_level)
                    ),
                ),
                *codes("dee_blurring"),
                (field_label("uuid"), str(o.uuid)),
                (
                    _("Saisie"),
                    _("%(when)s par %(who)s")
                    % {
                        "when": _when(o.created_at),
                        "who": user_name(o.created_by),
                    },
                ),
                (
                    _("Dernière modification"),
                    _("%(when)s par %(who)s")
                    % {
                        "when": _when(o.updated_at),
                        "who": user_name(o.updated_by),
                    },
                ),
            ],
        ),
    ]


def validation_history(occurrence: Occurrence) -> list[Validation]:
    return list(occurrence.validations.select_related("validator"))


def change_history(occurrence: Occurrence) -> list[HistoryEntry]:
    """The record's changes, newest first, each field as « ancienne → nouvelle »."""
    changes = list(occurrence.changes.select_related("user"))
    names = _related_names(changes)
    statuses = dict(Occurrence._meta.get_field("validation_status").choices)
    entries = []
    for change in changes:
        entry = HistoryEntry(
            action=change.get_action_display(),
            kind=change.action,
            user=user_name(change.user),
            at=change.at,
        )
        if change.action == OccurrenceChange.Action.VALIDATE:
            status = change.changes.get("validation_status")
            entry.changes.append(
                (
                    field_label("validation_status"),
                    "",
                    str(statuses.get(status, status)),
                )
            )
            entry.note = change.changes.get("comment") or ""
        elif change.action == OccurrenceChange.Action.UPDATE:
            for key, (old, new) in change.changes.items():
                entry.changes.append(
                    (
                        _history_label(key),
                        _history_value(key, old, names),
                        _history_value(key, new, names),
                    )
                )
        entries.append(entry)
    return entries


def _history_label(key: str) -> str:
    try:
        return field_label(key)
    except FieldDoesNotExist:  # a field removed since the change was recorded
        return key


def _related_names(changes) -> dict[str, dict]:
    wanted: dict[str, set] = {key: set() for key in RELATED}
    for change in changes:
        if change.action != OccurrenceChange.Action.UPDATE:
            continue
        for key, values in change.changes.items():
            if key in RELATED:
                wanted[key].update(v for v in values if v is not None)
    return {
        key: {obj.pk: str(obj) for obj in RELATED[key].objects.filter(pk__in=ids)}
        for key, ids in wanted.items()
        if ids
    }


def _history_value(key: str, value, names: dict[str, dict]) -> str:
    if value in (None, ""):
        return EMPTY
    if key in RELATED:
        return names.get(key, {}).get(value, f"#{value}")
    if key in Occurrence.NOMENCLATURES:
        return code_label(key, value)
    if key == "geom":
        try:
            return place_summary(GEOSGeometry(value, srid=settings.SRID))
        except (GEOSException, ValueError):
            return EMPTY
    if key in ("date_start", "date_end"):
        return _text(dt.date.fromisoformat(value))
    if key in ("time_start", "time_end"):
        return value[:5]
    return str(value)
