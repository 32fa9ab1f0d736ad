"""The site menu, assembled at the project layer from what each app declares.

Each app's ``navigation`` module exposes ``SECTION`` (``cpie_naturaliste.core.navigation``):
its label, landing page and task pages, each task with the predicate its page checks. The
menu lists the sections in ``INSTALLED_APPS`` order (which follows the layers), found
through the app registry as ``load_demo`` finds each app's demo: no app names another's
pages, and the referential names none above it.

Also the template library ``navigation`` (``TEMPLATES`` ``libraries``, used by
``templates/base.html``): ``{% menu_links as links %}``.
"""

from functools import cache

from django import template
from django.urls import NoReverseMatch, reverse

from cpie_naturaliste.core.apps import app_submodules
from cpie_naturaliste.core.navigation import Section

register = template.Library()


@cache
def declared_sections() -> tuple[Section, ...]:
    """The ``SECTION`` of every installed app that declares one, in menu order."""
    return tuple(
        module.SECTION
        for module in app_submodules("navigation")
        if hasattr(module, "SECTION")
    )


def _link(label: str, path: str, current: bool) -> dict:
    return {"label": label, "path": path, "current": current}


def section_links(section: Section, user, current_path: str) -> list[dict]:
    """A section's link followed by the task links shown to ``user`` on ``current_path``
    (none when the section's app is not mounted in the URLconf, or when its landing page
    would refuse the user)."""
    if section.allowed is not None and (user is None or not section.allowed(user)):
        return []
    try:
        prefix = reverse(section.url_name)
    except NoReverseMatch:
        return []
    inside = current_path.startswith(prefix)
    tasks = []
    if user is not None and (inside or section.tasks_always_shown):
        for task in section.tasks:
            if task.allowed(user):
                path = reverse(task.url_name)
                tasks.append(_link(task.label, path, current_path.startswith(path)))
    on_a_task = any(task["current"] for task in tasks)
    return [_link(section.label, prefix, inside and not on_a_task), *tasks]


def menu_links(request, sections=None) -> list[dict]:
    """The sections of the menu (``declared_sections`` by default), each followed by the
    task links the user may use: ``{"label", "path", "current"}`` each. A section's tasks
    show while the user is in it (or always, when it says so), so the menu stays one line
    on a laptop with eight sections."""
    current_path = request.path if request else ""
    user = getattr(request, "user", None)
    if sections is None:
        sections = declared_sections()
    return [
        link
        for section in sections
        for link in section_links(section, user, current_path)
    ]


@register.simple_tag(takes_context=True, name="menu_links")
def menu_links_tag(context) -> list[dict]:
    return menu_links(context.get("request"))
