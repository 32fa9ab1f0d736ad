"""Entries a phone kept with no network (static/js/outbox.js), sent with the page form's
own fields (multipart) and ``uuid``, made on the device, which makes a resend answer the
record already saved:

- ``POST /api/v1/zones-humides/pop/passages/saisie/?pop_site=<pond>``: the POP passage;
- ``POST /api/v1/zones-humides/barrieres/<fence>/releves/saisie/``: the drift-fence
  morning round.

The page's form reads them, so a record is checked as the page would check it."""

from collections.abc import Callable
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.resend import form_refusal
from zones_humides.forms import FenceCheckForm, PassageForm
from zones_humides.models import DriftFence, FenceCheck, PopPassage, PopSite
from zones_humides.permissions import may_save_fence_check
from zones_humides.selectors.fences import fence_taxa
from zones_humides.services import fence_check_save_once, passage_create_once

ENTRY_DESCRIPTION = gettext_lazy(
    "Un passage POP saisi hors connexion, avec les champs du formulaire de la page "
    "« Nouveau passage » de la mare « pop_site » (multipart) et « uuid », l'identifiant "
    "fabriqué par l'appareil. Un nouvel envoi du même « uuid » répond le passage déjà "
    "enregistré (200). Refus (400) : les messages par champ du formulaire, et « labels »."
)
FENCE_CHECK_DESCRIPTION = gettext_lazy(
    "Un relevé du matin saisi hors connexion, avec les champs du formulaire de la page "
    "« Relevé du matin » de la barrière (multipart) et « uuid », l'identifiant fabriqué "
    "par l'appareil. Il remplace le relevé du même jour, comme la page. Un nouvel envoi "
    "du même « uuid » répond le relevé déjà enregistré (200). Refus (400) : les messages "
    "par champ du formulaire, et « labels »."
)


def form_save_once(
    form: forms.Form, data, save: Callable[[UUID], tuple], model: type[Model]
):
    """``save(uuid)`` of a valid ``form`` (its ``(record, created)``), or the refusal:
    ``{field: [message]}`` and ``labels``, a ``ValidationError`` of ``save`` included.
    A send that raced the first send of the same sheet (a page left while it was being
    sent, a slow upload of photos) finds it saved while being checked (the form then
    sees it as a duplicate): it answers that record, ``(record, False)``."""
    try:
        uuid = UUID(str(data.get("uuid", "")))
    except ValueError:
        form.is_valid()
        form.add_error(None, _("Identifiant de la saisie (uuid) absent ou invalide."))
        return form_refusal(form)
    if form.is_valid():
        try:
            return save(uuid)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    existing = model.objects.filter(uuid=uuid).first()
    if existing is not None:
        return existing, False
    return form_refusal(form)


def passage_form_save(
    *, data, files=None, user, pop_site: PopSite
) -> tuple[PopPassage, bool] | dict:
    """``(passage, created)``, or the refusal: ``{field: [message]}`` and ``labels``.
    The photos of its species come with the passage, once."""
    form = PassageForm(
        data,
        files,
        instance=PopPassage(pop_site=pop_site),
        user=user,
        aire=pop_site.aire,
    )
    return form_save_once(
        form,
        data,
        lambda uuid: passage_create_once(
            uuid=uuid,
            user=user,
            pop_site=pop_site,
            fields=form.passage_fields(),
            observers=form.cleaned_data["observers"],
            lines=form.species_lines(),
            nothing_found=form.cleaned_data["nothing_found"],
            media=form.species_media(),
        ),
        PopPassage,
    )


def fence_check_form_save(
    *, data, files=None, user, fence: DriftFence
) -> tuple[FenceCheck, bool] | dict:
    """``(check, saved)``, or the refusal. The round of a day already entered is
    replaced only by those who may change it, as on the page. The photos of its
    species come with the round, once."""
    form = FenceCheckForm(
        data,
        files,
        instance=FenceCheck(fence=fence),
        user=user,
        taxa=fence_taxa(fence),
    )

    def save(uuid):
        day = FenceCheck.objects.filter(fence=fence, date=form.cleaned_data["date"])
        if not may_save_fence_check(user, fence, day.first()):
            raise ValidationError(
                {
                    "date": _(
                        "Le relevé de ce jour a déjà été saisi par une autre "
                        "personne : vous ne pouvez pas le remplacer."
                    )
                }
            )
        return fence_check_save_once(
            uuid=uuid,
            user=user,
            fence=fence,
            fields=form.check_fields(),
            counts=form.counts(),
            observers=form.cleaned_data["observers"],
            media=form.species_media(),
        )

    return form_save_once(form, data, save, FenceCheck)
