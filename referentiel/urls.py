"""Home page, sign-in pages and the accessibility statement (mounted at the site root)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from referentiel import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
