"""What an app declares of the site menu: its section and the task pages listed after it.

Why here: each app knows its own URL names and which of its pages a role may use; the
menu used to be written in the referential, which had to name every app above it and
restate their permission rules. Now each app writes a ``navigation`` module exposing
``SECTION`` (a :class:`Section`), with the predicates its pages check
(``referentiel.permissions``), and the project layer (``cpie_naturaliste.navigation``)
assembles the menu from the installed apps, in ``INSTALLED_APPS`` order. These types sit
in the core so that every app can use them without importing another app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """A task page listed after its section, for the users ``allowed`` answers yes for."""

    label: str
    url_name: str
    allowed: Callable[[object], bool]


@dataclass(frozen=True)
class Section:
    """An app's entry in the menu: its landing page (whose path prefixes every page of
    the section) and its task pages. The tasks show while the user is inside the section,
    or always when ``tasks_always_shown`` (entering data is most users' first job). A
    section whose landing page only some roles may open says which (``allowed``; None:
    everyone, anonymous visitors being sent to sign in)."""

    label: str
    url_name: str
    tasks: tuple[Task, ...] = ()
    tasks_always_shown: bool = False
    allowed: Callable[[object], bool] | None = None
