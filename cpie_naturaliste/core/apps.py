"""The core's app config, and how the layers below find what each app above declares.

An app above declares a contribution in a module of a known name (``demo`` for the demo
data, ``navigation`` for its menu section); the caller finds those modules through the app
registry instead of importing the apps, so no layer names the ones above it.
"""

from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule


class CoreConfig(AppConfig):
    name = "cpie_naturaliste.core"
    label = "core"
    verbose_name = "Noyau"


def app_submodules(
    name: str, *, exclude: frozenset[str] = frozenset()
) -> list[ModuleType]:
    """The ``<app>.<name>`` module of every installed app that has one (apps named in
    ``exclude`` left out), in ``INSTALLED_APPS`` order, which follows the layers."""
    return [
        import_module(f"{config.name}.{name}")
        for config in apps.get_app_configs()
        if config.name not in exclude and module_has_submodule(config.module, name)
    ]
