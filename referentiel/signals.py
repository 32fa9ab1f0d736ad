"""Signals the apps above the referential listen to (it cannot import them, DESIGN §1)."""

from django.dispatch import Signal

# Sent once the sensitivity rules, or the taxa they reach, have changed (after the commit):
# observations recompute the level and blurred geometry of the records in the background.
sensitivity_rules_changed = Signal()
