"""Pages of the ringing app, under ``/baguage/``."""

from django.urls import path  # noqa: F401

app_name = "baguage"

urlpatterns: list = []
