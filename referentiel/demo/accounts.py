"""Demo accounts, one per role, with fixed passwords printed by ``manage.py demo_accounts``.

These passwords are public (README, terminal): they are for the demo only and must never
exist on a production instance.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from referentiel.models import AtlasGroup, Organisation, Person, Role, User

from .organisations import CPIE_CDT, EDEN62, URCPIE
from .upsert import set_m2m, upsert

ADMIN = "administrateur"


@dataclass(frozen=True)
class AccountSpec:
    username: str
    password: str
    role: str  # a Role value, or ADMIN for the superuser
    organisation: str
    person: str  # "First Last" of a demo person
    is_regional: bool = False
    validation_groups: tuple[str, ...] = ()

    @property
    def role_label(self) -> str:
        if self.role == ADMIN:
            return "Administrateur"
        label = Role(self.role).label
        return f"{label} régional" if self.is_regional else label


DEMO_ACCOUNTS = (
    AccountSpec("saisie", "demo-saisie-2020", Role.SAISIE, CPIE_CDT, "Claire Dumont"),
    AccountSpec(
        "validateur",
        "demo-validateur-2020",
        Role.VALIDATEUR,
        CPIE_CDT,
        "Antoine Lemaire",
        validation_groups=("oiseaux", "amphibiens", "reptiles"),
    ),
    AccountSpec(
        "coordinateur",
        "demo-coordinateur-2020",
        Role.COORDINATEUR,
        CPIE_CDT,
        "Nathalie Carpentier",
    ),
    AccountSpec(
        "coordinateur-regional",
        "demo-regional-2020",
        Role.COORDINATEUR,
        URCPIE,
        "Pierre Vandamme",
        is_regional=True,
    ),
    AccountSpec(
        "partenaire", "demo-partenaire-2020", Role.PARTENAIRE, EDEN62, "Julie Lefort"
    ),
    AccountSpec("admin", "demo-admin-2020", ADMIN, CPIE_CDT, "Mathieu Roussel"),
)


def accounts_upsert(
    *, organisations: dict[str, Organisation], people: dict[str, Person]
) -> dict[str, User]:
    """Create or update the demo accounts, their role group, scope and person.

    A password is only set when it does not match already, so a second run leaves the
    accounts (and their sessions) untouched."""
    role_groups = {
        role: Group.objects.get_or_create(name=role)[0] for role in Role.values
    }
    atlas_groups = AtlasGroup.objects.in_bulk(field_name="code")
    users = {}
    for spec in DEMO_ACCOUNTS:
        person = people[spec.person]
        is_admin = spec.role == ADMIN
        user, _ = upsert(
            User,
            lookup={"username": spec.username},
            values={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "organisation": organisations[spec.organisation],
                "is_regional": spec.is_regional,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        if not user.check_password(spec.password):
            user.set_password(spec.password)
            user.save(update_fields=["password"])
        set_m2m(user.groups, [] if is_admin else [role_groups[spec.role]])
        set_m2m(
            user.validation_groups,
            [
                atlas_groups[code]
                for code in spec.validation_groups
                if code in atlas_groups
            ],
        )
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        users[spec.username] = user
    return users
