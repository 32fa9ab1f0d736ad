"""Who may do what on terril pages (DESIGN §7)."""

from referentiel.models import Role


def can_enter(user) -> bool:
    """Field staff, validators and coordinators enter campaign records."""
    return user.is_authenticated and user.write_scope is not None


def can_import_state_zero(user) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATEUR)
