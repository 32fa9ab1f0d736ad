"""Referential API viewsets, registered on the site-wide router."""


def register(router) -> None:
    pass
