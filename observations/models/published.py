"""The link from a protocol record to the occurrence it publishes, declared once.

Every protocol row (a site count, a fence count, a pond observation, a capture, a terril
record, a public report) publishes one occurrence through the publish contract
(``observations.services.occurrences``) and keeps a OneToOne to it. The link lives here so
that its type, its deletion rule and its non-editability are the same in every app: the
publish contract sets it, no form or serializer does. Each model names the reverse accessor
with ``Meta.default_related_name`` (``occurrence.site_count``, ``occurrence.ringing_capture``…),
the name the policy's links and the views already use. The one variant: a terril
campaign record exists only as its occurrence, so it redeclares the field required and
deleted with the occurrence (``terrils.models.CampaignRecord``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .occurrences import Occurrence


class PublishedOccurrenceMixin(models.Model):
    """A protocol record and the occurrence it published (none until published, and none
    again if the occurrence is deleted apart from the record)."""

    occurrence = models.OneToOneField(
        Occurrence,
        verbose_name=_("observation publiée"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        abstract = True
