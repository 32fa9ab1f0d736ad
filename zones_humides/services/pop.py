"""POP Amphibien passages: saved with their species lines (or an explicit "nothing found"
kept as an absence of Amphibia), each line published as an occurrence."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from observations.models import Source
from observations.services import (
    occurrence_delete,
    occurrence_media_add,
    occurrence_publish,
)
from referentiel.models import Person, Taxon
from zones_humides.models import PassageObservation, PopPassage, PopSite
from zones_humides.models.pop import AMPHIBIA_CD_NOM

# Site positions are taken with a phone GPS or on the map: about 10 m.
SITE_PRECISION_M = 10


@dataclass(frozen=True)
class SpeciesLine:
    """A species found at a passage."""

    taxon: Taxon
    count_min: int
    count_max: int | None = None
    count_type: str = PassageObservation.CountType.COMPTE
    life_stage: str = ""


def _check_passage(passage: PopPassage, lines: list[SpeciesLine], nothing_found: bool):
    errors: dict[str, list[str]] = {}
    if passage.date and passage.date > timezone.localdate():
        errors.setdefault("date", []).append(
            _("La date ne peut pas être dans le futur.")
        )
    if nothing_found and lines:
        errors.setdefault("__all__", []).append(
            _("« Rien trouvé » est coché mais des espèces sont saisies.")
        )
    if not nothing_found and not lines:
        errors.setdefault("__all__", []).append(
            _(
                "Indiquez au moins une espèce, ou cochez « Rien trouvé » : un passage "
                "sans amphibien est une donnée (absence)."
            )
        )
    taxa = [line.taxon.cd_ref for line in lines]
    if len(taxa) != len(set(taxa)):
        errors.setdefault("__all__", []).append(
            _("Une espèce est saisie deux fois dans ce passage.")
        )
    for line in lines:
        if line.count_max is not None and line.count_max < line.count_min:
            errors.setdefault("__all__", []).append(
                _("%(taxon)s : l'effectif maximal est inférieur au minimal.")
                % {"taxon": line.taxon.scientific_name}
            )
    if passage.site_state and passage.number != 1:
        errors.setdefault("site_state", []).append(
            _("L'état du site se note au premier passage.")
        )
    if passage.date and passage.pop_site_id:
        taken = PopPassage.objects.filter(
            pop_site_id=passage.pop_site_id,
            year=passage.date.year,
            number=passage.number,
        ).exclude(pk=passage.pk)
        if taken.exists():
            errors.setdefault("number", []).append(
                _("Le passage %(n)d de %(year)d est déjà saisi pour ce site.")
                % {"n": passage.number, "year": passage.date.year}
            )
    if errors:
        raise ValidationError(errors)


def pop_observation_occurrence_fields(observation: PassageObservation) -> dict:
    """The occurrence of a POP line: a presence, or for "nothing found" the absence of
    the class Amphibia with a count of 0 (STATUT_OBS No)."""
    passage = observation.passage
    pop_site: PopSite = passage.pop_site
    aire = pop_site.aire
    present = observation.present
    return {
        "dataset": aire.dataset,
        "programme": aire.dataset.programme,
        "taxon": observation.taxon,
        "cited_name": observation.taxon.scientific_name,
        "observation_status": "Pr" if present else "No",
        "date_start": passage.date,
        "date_end": passage.date,
        "time_start": passage.time_start,
        "time_end": passage.time_end,
        "geom": pop_site.geom,
        "precision_m": SITE_PRECISION_M,
        "site": pop_site.site,
        "place_name": pop_site.name,
        "count_min": observation.count_min if present else 0,
        "count_max": observation.count_max if present else 0,
        "count_object": "IND",
        "count_type": observation.count_type,
        "life_stage": observation.life_stage or "1",
        "bio_status": "3" if present else "1",
        "obs_technique": "0",
        "source_key": f"pop:{observation.pk}",
        "comment": _("POP Amphibien, aire %(aire)s, site %(site)s, passage %(n)d.")
        % {"aire": aire, "site": pop_site, "n": passage.number},
    }


def _publish(observation: PassageObservation, *, user, observers) -> None:
    observation.occurrence = occurrence_publish(
        occurrence=observation.occurrence,
        user=user,
        source=Source.ZONES_HUMIDES,
        observers=observers,
        **pop_observation_occurrence_fields(observation),
    )
    observation.save(update_fields=["occurrence"])


@transaction.atomic
def passage_save(
    *,
    user,
    pop_site: PopSite,
    fields: dict,
    observers: Iterable[Person],
    lines: Iterable[SpeciesLine] = (),
    nothing_found: bool = False,
    passage: PopPassage | None = None,
) -> PopPassage:
    """Create or change a passage with its species lines and publish each line.

    A passage that found nothing keeps one line: Amphibia absent, count 0. Lines no
    longer entered are deleted with their occurrence. Raises ``ValidationError``."""
    lines = list(lines)
    observers = list(observers)
    if passage is None:
        passage = PopPassage(pop_site=pop_site, created_by=user)
    for name, value in fields.items():
        setattr(passage, name, value)
    passage.pop_site = pop_site
    passage.updated_by = user
    if passage.date:
        passage.year = passage.date.year
    _check_passage(passage, lines, nothing_found)
    if not observers:
        raise ValidationError({"observers": [_("Indiquez au moins un observateur.")]})
    passage.full_clean(exclude=["observers"])
    passage.save()
    passage.observers.set(observers)

    if nothing_found:
        wanted = {
            AMPHIBIA_CD_NOM: dict(
                taxon=Taxon.objects.get(cd_nom=AMPHIBIA_CD_NOM),
                present=False,
                count_min=0,
                count_max=0,
                count_type=PassageObservation.CountType.COMPTE,
                life_stage="",
            )
        }
    else:
        wanted = {
            line.taxon.cd_nom: dict(
                taxon=line.taxon,
                present=True,
                count_min=line.count_min,
                count_max=line.count_max
                if line.count_max is not None
                else line.count_min,
                count_type=line.count_type,
                life_stage=line.life_stage,
            )
            for line in lines
        }
    existing = {
        o.taxon_id: o for o in passage.observations.select_related("occurrence")
    }
    for taxon_id, observation in existing.items():
        if taxon_id not in wanted:
            occurrence = observation.occurrence
            observation.delete()
            if occurrence is not None:
                occurrence_delete(occurrence=occurrence, user=user)
    for taxon_id, values in wanted.items():
        observation = existing.get(taxon_id) or PassageObservation(passage=passage)
        for name, value in values.items():
            setattr(observation, name, value)
        observation.full_clean(exclude=["occurrence", "passage"])
        observation.save()
        _publish(observation, user=user, observers=observers)
    return passage


@transaction.atomic
def passage_delete(*, passage: PopPassage, user) -> None:
    """Delete a passage, its lines and their published occurrences."""
    for observation in passage.observations.select_related("occurrence"):
        occurrence = observation.occurrence
        observation.delete()
        if occurrence is not None:
            occurrence_delete(occurrence=occurrence, user=user)
    passage.delete()


def passage_media_add(*, passage: PopPassage, user, media: dict) -> int:
    """The photos and sounds of a passage's species (``{cd_nom: [Prepared]}``, checked
    by ``observations.services.media_check``) on the record each line publishes; the
    number of files stored. Call it in the passage's transaction."""
    if not media:
        return 0
    lines = {
        line.taxon_id: line
        for line in passage.observations.select_related("occurrence")
        if line.present
    }
    added = 0
    for cd_nom, items in media.items():
        line = lines.get(cd_nom)
        if items and line is not None and line.occurrence is not None:
            added += len(
                occurrence_media_add(occurrence=line.occurrence, user=user, media=items)
            )
    return added
