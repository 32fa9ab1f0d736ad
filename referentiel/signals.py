"""Signals the apps above the referential listen to (it cannot import them, DESIGN §1)."""

from django.dispatch import Signal

# Sent once the sensitivity rules, or the taxa they reach, have changed (after the commit):
# observations recompute the level and blurred geometry of the records in the background.
sensitivity_rules_changed = Signal()

# Sent each time a list of sites is read for a user (``SiteQuerySet.listed_for``, with
# ``user``): each receiver answers a function narrowing a queryset of sites to those the user
# may see named and placed. observations answers with the read policy of places: a
# protected site holding an occurrence the user may not place is left out.
sites_listed = Signal()
