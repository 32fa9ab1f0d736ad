"""Writes of the sensibilisation app (keyword-only, atomic, ``<entity>_<action>``)."""

from .actions import (
    action_save,
    participants_set,
    person_for_name,
    training_session_add,
)
from .campaigns import (
    REPORT_TOKEN_MAX_AGE,
    report_confirm,
    report_confirmation_token,
    report_photo_url,
    report_submit,
    reports_purge_unconfirmed,
    site_url_of,
)
from .volunteers import (
    person_erase,
    person_export,
    person_export_rows,
    volunteer_save,
)

__all__ = [
    "REPORT_TOKEN_MAX_AGE",
    "action_save",
    "participants_set",
    "person_erase",
    "person_export",
    "person_export_rows",
    "person_for_name",
    "report_confirm",
    "report_confirmation_token",
    "report_photo_url",
    "report_submit",
    "reports_purge_unconfirmed",
    "site_url_of",
    "training_session_add",
    "volunteer_save",
]
