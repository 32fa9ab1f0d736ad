"""Every admin list and add page renders for a superuser (catches broken admin options)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories.referentiel import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    sorted(admin.site._registry, key=lambda m: m._meta.label),
    ids=lambda m: m._meta.label,
)
def test_admin_pages_render(admin_client, model):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{prefix}_changelist")).status_code == 200
    request = admin_client.get("/").wsgi_request
    request.user = UserFactory(username="root")
    if admin.site._registry[model].has_add_permission(request):
        assert admin_client.get(reverse(f"{prefix}_add")).status_code == 200
