"""``POST /api/v1/zones-humides/passages/saisie/?pop_site=<pond>``: the POP passage form's
own fields, as the page sends them (multipart), for the passages a phone kept with no
network (static/js/outbox.js). The page's form (``PassageForm``) reads them, so a passage
is checked as the page would check it; ``uuid``, made on the device, makes a resend answer
the passage already saved."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.resend import form_refusal
from zones_humides.forms import PassageForm
from zones_humides.models import PopPassage, PopSite
from zones_humides.services import passage_create_once

ENTRY_DESCRIPTION = gettext_lazy(
    "Un passage POP saisi hors connexion, avec les champs du formulaire de la page "
    "« Nouveau passage » de la mare « pop_site » (multipart) et « uuid », l'identifiant "
    "fabriqué par l'appareil. Un nouvel envoi du même « uuid » répond le passage déjà "
    "enregistré (200). Refus (400) : les messages par champ du formulaire, et « labels »."
)


def passage_form_save(
    *, data, user, pop_site: PopSite
) -> tuple[PopPassage, bool] | dict:
    """``(passage, created)``, or the refusal: ``{field: [message]}`` and ``labels``."""
    form = PassageForm(
        data, instance=PopPassage(pop_site=pop_site), user=user, aire=pop_site.aire
    )
    try:
        uuid = UUID(str(data.get("uuid", "")))
    except ValueError:
        form.is_valid()
        form.add_error(None, _("Identifiant de la saisie (uuid) absent ou invalide."))
        return form_refusal(form)
    if form.is_valid():
        try:
            return passage_create_once(
                uuid=uuid,
                user=user,
                pop_site=pop_site,
                fields=form.passage_fields(),
                observers=form.cleaned_data["observers"],
                lines=form.species_lines(),
                nothing_found=form.cleaned_data["nothing_found"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return form_refusal(form)
