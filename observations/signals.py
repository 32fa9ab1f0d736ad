"""Signals other apps listen to without observations importing them (DESIGN §1)."""

from django.dispatch import Signal

# Many occurrences changed at once (an import batch done or undone, a validation): sent
# after the commit, with ``reason`` (a short code: "import", "undo", "validation").
# indicateurs rebuilds its presence history on it.
occurrences_changed = Signal()


def occurrences_changed_on_commit(reason: str) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: occurrences_changed.send(sender=None, reason=reason))
