"""The photos and sounds field of a record's form: several files from the camera or the
phone's files, each checked by its content (``observations.services.media_check``)."""

from django import forms
from django.core.exceptions import ValidationError

from observations.services import media_check

ACCEPT = "image/*,audio/*"


class MediaInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"

    def __init__(self, attrs=None):
        # capture: the phone offers its camera first; multiple: several photos at once.
        super().__init__(
            {
                "accept": ACCEPT,
                "capture": "environment",
                "multiple": True,
                **(attrs or {}),
            }
        )


class MediaField(forms.FileField):
    """Cleans to the list of checked media (``core.media.Prepared``), empty when none."""

    widget = MediaInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Photos et enregistrements sonores")
        kwargs.setdefault(
            "help_text",
            "Prenez une photo ou choisissez des fichiers (photos JPEG, PNG, WebP ; sons "
            "WAV, MP3, FLAC, OGG ; 20 Mo au plus chacun). La date et la position d'une "
            "photo vous sont proposées ; elles sont retirées du fichier enregistré.",
        )
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload]
        if not uploads:
            return []
        try:
            return media_check(uploads)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class MediaForm(forms.Form):
    """Photos and sounds added to a saved record (its page, the API)."""

    media = MediaField()

    def clean_media(self):
        media = self.cleaned_data["media"]
        if not media:
            raise ValidationError("Choisissez au moins une photo ou un son.")
        return media
