"""Link the free-text observer of each drift-fence check to a person of the referential
when the name designates one person only (« Marie Fontaine », « FONTAINE Marie »,
accents and case ignored, a trailing « (organisme) » allowed), so that the observer
filter of the lists finds these records. The check and the occurrences it published get
the person; the text is then cleared on the check. A name matching nobody, or several
people, is kept as it was written."""

import re

from django.db import migrations
from django.utils import timezone

from cpie_naturaliste.core.text import normalize_search

ORGANISATION_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


def _key(text: str) -> str:
    return normalize_search(ORGANISATION_SUFFIX.sub("", text or ""))


def _people_by_name(Person) -> dict[str, set[int]]:
    names: dict[str, set[int]] = {}
    for pk, first, last in Person.objects.values_list("pk", "first_name", "last_name"):
        for name in {f"{first} {last}", f"{last} {first}"}:
            key = _key(name)
            if key:
                names.setdefault(key, set()).add(pk)
    return names


def _label(person) -> str:
    name = f"{person.last_name.upper()} {person.first_name}".strip()
    organisation = person.organisation
    if organisation is None:
        return name
    return f"{name} ({organisation.short_name or organisation.name})"


def link_observers(apps, schema_editor):
    FenceCheck = apps.get_model("zones_humides", "FenceCheck")
    FenceCount = apps.get_model("zones_humides", "FenceCount")
    Person = apps.get_model("referentiel", "Person")
    Occurrence = apps.get_model("observations", "Occurrence")
    names = _people_by_name(Person)
    texts = (
        FenceCheck.objects.filter(observers__isnull=True)
        .exclude(observer="")
        .values_list("observer", flat=True)
        .distinct()
    )
    now = timezone.now()
    for text in list(texts):
        matches = names.get(_key(text), set())
        if len(matches) != 1:
            continue  # nobody, or namesakes: the text stays
        person = Person.objects.select_related("organisation").get(pk=matches.pop())
        checks = FenceCheck.objects.filter(observer=text, observers__isnull=True)
        check_ids = list(checks.values_list("pk", flat=True))
        FenceCheck.observers.through.objects.bulk_create(
            [
                FenceCheck.observers.through(fencecheck_id=pk, person_id=person.pk)
                for pk in check_ids
            ],
            batch_size=5000,
        )
        FenceCheck.objects.filter(pk__in=check_ids).update(observer="")
        occurrence_ids = list(
            FenceCount.objects.filter(
                check_round_id__in=check_ids, occurrence__isnull=False
            ).values_list("occurrence_id", flat=True)
        )
        Occurrence.observers.through.objects.bulk_create(
            [
                Occurrence.observers.through(occurrence_id=pk, person_id=person.pk)
                for pk in occurrence_ids
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        # A synchronised copy reads what changed since its last pass by updated_at.
        Occurrence.objects.filter(pk__in=occurrence_ids).update(
            observers_label=_label(person), updated_at=now
        )


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0018_created_by_recent"),
        ("zones_humides", "0008_fence_check_observers"),
    ]

    operations = [migrations.RunPython(link_observers, migrations.RunPython.noop)]
