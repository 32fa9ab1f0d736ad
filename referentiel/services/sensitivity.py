"""Sensitivity rules: expand each rule's taxon to the cd_ref of its synonyms and descendants.

The expansion (``SensitivityRule.taxon_refs``) is what the SQL computing an occurrence's level
matches on, so that a single save costs one indexed lookup rather than a walk of TAXREF. It is
filled when a rule is saved or imported; refresh it after a TAXREF update
(``python manage.py refresh_sensitivity`` does both). The SQL lives beside the model, whose
``save()`` needs it.
"""

from referentiel.models.sensitivity import sensitivity_rules_refresh_taxa

__all__ = ["sensitivity_rules_refresh_taxa"]
