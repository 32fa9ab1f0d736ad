"""Template helpers of the site layout (templates/base.html): navigation and user badge."""

from django import template
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from referentiel.models import Role

register = template.Library()

# The app sections of DESIGN §5 in menu order: (label, URL namespace, prefix). A link only
# shows once its app has a landing page, named "<namespace>:index" or served at the prefix,
# so the menu grows with the product and never leads to a 404.
APP_LINKS = (
    ("Observations", "observations", "/observations/"),
    ("Baguage", "baguage", "/baguage/"),
    ("Terrils", "terrils", "/terrils/"),
    ("Zones humides", "zones_humides", "/zones-humides/"),
    ("Sensibilisation", "sensibilisation", "/sensibilisation/"),
    ("Indicateurs", "indicateurs", "/indicateurs/"),
)


def _can_enter(user) -> bool:
    return user.is_authenticated and user.write_scope is not None


def _can_extract(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.COORDINATEUR) or user.has_role(Role.PARTENAIRE)
    )


def _can_coordinate(user) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATEUR)


def _can_read_network(user) -> bool:
    return user.is_authenticated and bool(
        user.is_superuser or user.roles & {role.value for role in Role}
    )


def _can_validate(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.VALIDATEUR) or user.has_role(Role.COORDINATEUR)
    )


# Task pages listed right after their section, only for the roles that can use them. The
# predicates restate in role terms what the pages check (observations.permissions): the
# referential cannot import the apps above it.
ACTION_LINKS = {
    "observations": (
        ("Saisir", "observations:occurrence_create", _can_enter),
        ("Importer", "observations:import", _can_enter),
        ("Validation", "observations:validation_queue", _can_validate),
        ("Atlas", "observations:atlas", lambda user: user.is_authenticated),
        (
            "Comptages",
            "observations:count_programmes",
            lambda user: user.is_authenticated,
        ),
        ("Extractions", "observations:extract_list", _can_extract),
        ("Exports SINP", "observations:sinp_exports", _can_coordinate),
    ),
    "baguage": (
        ("Nouvelle session", "baguage:session_create", _can_enter),
        ("Stock de bagues", "baguage:ring_stock", lambda user: user.is_authenticated),
        ("Bagueurs", "baguage:ringer_list", lambda user: user.is_authenticated),
    ),
    "terrils": (
        ("Classement", "terrils:ranking", lambda user: user.is_authenticated),
        ("État zéro", "terrils:state_zero_import", _can_coordinate),
    ),
    "zones_humides": (
        (
            "POP Amphibien",
            "zones_humides:pop_index",
            lambda user: user.is_authenticated,
        ),
    ),
    "sensibilisation": (
        ("Actions", "sensibilisation:action_list", _can_read_network),
        ("Bénévoles", "sensibilisation:volunteer_list", _can_coordinate),
        ("Signalements", "sensibilisation:report_list", _can_validate),
    ),
}


ALWAYS_SHOWN = {"observations"}


def action_links(namespace: str, user, current_path: str) -> list[dict]:
    """The task links of a section that exist and that ``user`` may use."""
    links = []
    for label, url_name, allowed in ACTION_LINKS.get(namespace, ()):
        if user is None or not allowed(user):
            continue
        try:
            path = reverse(url_name)
        except NoReverseMatch:
            continue
        links.append(
            {"label": label, "path": path, "current": current_path.startswith(path)}
        )
    return links


def landing_page(namespace: str, prefix: str) -> str | None:
    """The URL of an app's landing page, or None while it has none."""
    try:
        return reverse(f"{namespace}:index")
    except NoReverseMatch:
        pass
    try:
        resolve(prefix)
    except Resolver404:
        return None
    return prefix


@register.simple_tag(takes_context=True)
def app_links(context) -> list[dict]:
    """The app sections that exist, each followed by the task links the user may use:
    ``{"label", "path", "current"}`` each. A section's tasks show while the user is in
    it (the observations' ones always: entering data is most users' first job), so the
    menu stays one line on a laptop with eight sections."""
    request = context.get("request")
    current_path = request.path if request else ""
    user = getattr(request, "user", None)
    links = []
    for label, namespace, prefix in APP_LINKS:
        path = landing_page(namespace, prefix)
        if path:
            inside = current_path.startswith(prefix)
            actions = (
                action_links(namespace, user, current_path)
                if inside or namespace in ALWAYS_SHOWN
                else []
            )
            links.append(
                {
                    "label": label,
                    "path": path,
                    "current": current_path.startswith(prefix)
                    and not any(action["current"] for action in actions),
                }
            )
            links.extend(actions)
    return links


@register.filter
def role_label(user) -> str:
    """The user's roles in French ("Coordinateur régional", "Saisie, Validateur")."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "Administrateur"
    labels = []
    for role in Role:
        if role.value in user.roles:
            label = str(role.label)
            if role == Role.COORDINATEUR and user.is_regional:
                label = f"{label} régional"
            labels.append(label)
    return ", ".join(labels)
