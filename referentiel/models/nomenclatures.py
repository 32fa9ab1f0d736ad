"""SINP nomenclatures as data (type + code + label), loaded by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NomenclatureType(models.Model):
    mnemonic = models.CharField(_("mnémonique"), max_length=30, unique=True)
    label = models.CharField(_("libellé"), max_length=200)

    class Meta:
        verbose_name = _("type de nomenclature")
        verbose_name_plural = _("types de nomenclature")
        ordering = ["mnemonic"]

    def __str__(self) -> str:
        return f"{self.mnemonic} – {self.label}"


class NomenclatureQuerySet(models.QuerySet):
    def of_type(self, mnemonic: str) -> "NomenclatureQuerySet":
        return self.filter(type__mnemonic=mnemonic, is_active=True)


class Nomenclature(models.Model):
    type = models.ForeignKey(
        NomenclatureType,
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("libellé"), max_length=200)
    definition = models.TextField(_("définition"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NomenclatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomenclature")
        verbose_name_plural = _("nomenclatures")
        ordering = ["type", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "code"], name="nomenclature_type_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"
