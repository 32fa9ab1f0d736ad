"""The captures of a session after its first one, written as ``capture_save`` writes them but
in a few statements: 3,000 rows one by one would take minutes."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from baguage.models import Capture
from baguage.services import capture_occurrence_fields
from cpie_naturaliste.core.geo import to_storage_srid
from observations.models import Occurrence, Source
from observations.services import nomenclature_labels, occurrences_publish_bulk

from .rows import Row

_FIELD_COLUMNS = {
    "ring_number": "ring",
    "ring_scheme": "scheme",
    "taxon": "species",
    "session": "date",
    "time": "time",
    "age": "age",
    "sex": "sex",
    "wing_mm": "wing",
    "mass_g": "mass",
}


def refusal_errors(result, header, line: int, message_dict: dict) -> None:
    for name, messages in message_dict.items():
        for message in messages:
            result.errors.add(line, header.of(_FIELD_COLUMNS.get(name, "")), message)


_CAPTURE_RELATIONS = [f.name for f in Capture._meta.get_fields() if f.is_relation]
_OCCURRENCE_RELATIONS = [f.name for f in Occurrence._meta.get_fields() if f.is_relation]


class BulkCaptures:
    """The captures of a session after its first one, written as ``capture_save`` writes
    them, in a few statements: the rows were checked against the database beforehand (ring
    used, stock, species, dates), each capture and occurrence is validated field by field,
    and the database constraints (a B ring used once…) still apply at insertion. The
    occurrence fields are those of ``capture_save`` (``capture_occurrence_fields``); the observers
    are those that ``occurrence_publish`` gave the session's first capture."""

    def __init__(self, *, user, ref, result, header):
        self.user, self.ref, self.result, self.header = user, ref, result, header
        self.captures: list[Capture] = []
        self.occurrences: list[Occurrence] = []
        self.observers: list[list[int]] = []

    def add(self, first: Capture, rows: list[Row]) -> None:
        session = first.session
        template = first.occurrence
        observer_ids = list(template.observers.values_list("pk", flat=True))
        line = first.line
        for row in rows:
            line += 1
            capture = Capture(
                session=session,
                created_by=self.user,
                updated_by=self.user,
                line=line,
                **row.fields,
            )
            if capture.action == Capture.Action.RINGED:
                capture.series = self.ref.series_of(capture.ring_number)
                if not capture.ring_size and capture.series is not None:
                    capture.ring_size = capture.series.size
            occurrence = Occurrence(
                created_by=self.user,
                updated_by=self.user,
                source=Source.BAGUAGE,
                observers_label=template.observers_label,
                **capture_occurrence_fields(capture),
            )
            occurrence.geom = to_storage_srid(occurrence.geom)
            if not self._valid(row.line, capture, occurrence):
                continue
            self.captures.append(capture)
            self.occurrences.append(occurrence)
            self.observers.append(observer_ids)

    def _valid(self, line: int, capture: Capture, occurrence: Occurrence) -> bool:
        errors: dict[str, list[str]] = {}
        for name, mnemonic in Occurrence.NOMENCLATURES.items():
            if getattr(occurrence, name) not in nomenclature_labels(mnemonic):
                errors.setdefault("__all__", []).append(
                    _("Code « %(code)s » inconnu pour %(field)s.")
                    % {
                        "code": getattr(occurrence, name),
                        "field": Occurrence._meta.get_field(name).verbose_name,
                    }
                )
        for instance, exclude in (
            (capture, _CAPTURE_RELATIONS),
            (occurrence, _OCCURRENCE_RELATIONS),
        ):
            try:
                instance.clean_fields(exclude=exclude)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            refusal_errors(self.result, self.header, line, errors)
        return not errors

    def save(self) -> None:
        if not self.captures:
            return
        try:
            with transaction.atomic():
                occurrences_publish_bulk(
                    occurrences=self.occurrences,
                    observer_ids=self.observers,
                    user=self.user,
                )
                for capture, occurrence in zip(
                    self.captures, self.occurrences, strict=True
                ):
                    capture.occurrence = occurrence
                Capture.objects.bulk_create(self.captures, batch_size=100)
        except IntegrityError:
            self.result.errors.add(
                None,
                "",
                _(
                    "Import interrompu : une bague du fichier vient d'être posée par une "
                    "autre saisie. Relancez l'import pour voir la ligne en cause."
                ),
            )
