"""Demo programmes (the monitoring programmes and studies of the 2020 activity report,
listed in ``data/programmes.csv``) and their SINP datasets.

Dataset UUIDs are derived from their titles, so that the demo's idSINPJdd are the same on
every machine and a second run finds the same rows.
"""

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path

from referentiel.models import AtlasGroup, Dataset, Organisation, Programme

from .organisations import CPIE_AUTHIE, CPIE_CDT, EDEN62
from .upsert import set_m2m, upsert

Level = Programme.Level
Licence = Dataset.Licence

ONF = "Office national des forêts"

DATA = Path(__file__).resolve().parent / "data" / "programmes.csv"
DEMO_NAMESPACE = uuid.UUID("6f1c9f5e-3d0a-4c8e-9a57-0c2b1f7d4e21")


@dataclass(frozen=True)
class ProgrammeSpec:
    """One row of ``data/programmes.csv``."""

    code: str
    name: str
    level: str
    coordinator: str  # organisation name
    partners: tuple[str, ...]  # organisation names, " | "-separated in the file
    groups: tuple[str, ...]  # atlas group codes, space-separated in the file
    # The report's action the programme belongs to (1, 2, 3), None for the general
    # inventory (ATLAS: the records outside any protocol).
    report_line: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    protocol: str = ""
    description: str = ""


def read_programmes(path: Path = DATA) -> tuple[ProgrammeSpec, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            ProgrammeSpec(
                code=row["code"],
                name=row["name"],
                level=Level(row["level"]),
                coordinator=row["coordinator"],
                partners=tuple(
                    name.strip() for name in row["partners"].split("|") if name.strip()
                ),
                groups=tuple(row["groups"].split()),
                report_line=int(row["report_line"]) if row["report_line"] else None,
                start_year=int(row["start_year"]) if row["start_year"] else None,
                end_year=int(row["end_year"]) if row["end_year"] else None,
                protocol=row["protocol"],
                description=row["description"],
            )
            for row in csv.DictReader(handle, delimiter=";")
        )


PROGRAMMES = read_programmes()


@dataclass(frozen=True)
class DatasetSpec:
    title: str
    programme: str
    producer: str
    is_public: bool = True
    licence: str = Licence.ETALAB
    short_title: str = ""


def _cpie_dataset(code: str, *, is_public: bool = True) -> DatasetSpec:
    name = next(spec.name for spec in PROGRAMMES if spec.code == code)
    return DatasetSpec(
        f"{name} – {CPIE_CDT}",
        code,
        CPIE_CDT,
        is_public=is_public,
        licence=Licence.ETALAB if is_public else Licence.RESTRICTED,
        short_title=code,
    )


PRIVATE_DATASETS = {"BARRIERE-VIMY", "GLS-GOBEMOUCHE", "IQE-SUEZ", "ENI"}

DATASETS = (
    *(
        _cpie_dataset(spec.code, is_public=spec.code not in PRIVATE_DATASETS)
        for spec in PROGRAMMES
    ),
    # Data exchanged with partners in 2020 (some under diffusion clauses).
    DatasetSpec(
        "Lézard des murailles sur les terrils – Eden 62",
        "EVAL-TERRILS",
        EDEN62,
        is_public=False,
        licence=Licence.RESTRICTED,
        short_title="EDEN62-LEZARD",
    ),
    DatasetSpec(
        "Inventaires des Espaces naturels sensibles des terrils – Eden 62",
        "ATLAS",
        EDEN62,
        short_title="EDEN62-ENS",
    ),
    DatasetSpec(
        "Faune et flore des terrils 171 à 178 – ONF",
        "ATLAS",
        ONF,
        short_title="ONF-TERRILS",
    ),
    DatasetSpec(
        "Inventaires naturalistes du CPIE Val d'Authie",
        "ATLAS",
        CPIE_AUTHIE,
        is_public=False,
        licence=Licence.RESTRICTED,
        short_title="CPIE-AUTHIE",
    ),
)


def dataset_uuid(title: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, title)


def programmes_upsert(*, organisations: dict[str, Organisation]) -> dict:
    """Create or update the demo programmes with their partners and atlas groups."""
    groups = AtlasGroup.objects.in_bulk(field_name="code")
    programmes = {}
    for spec in PROGRAMMES:
        programme, _ = upsert(
            Programme,
            lookup={"code": spec.code},
            values={
                "name": spec.name,
                "level": spec.level,
                "report_line": spec.report_line,
                "coordinator": organisations[spec.coordinator],
                "start_year": spec.start_year,
                "end_year": spec.end_year,
                "protocol": spec.protocol,
                "description": spec.description,
            },
        )
        set_m2m(programme.partners, [organisations[name] for name in spec.partners])
        # An atlas group the lead's data migration does not define is simply skipped.
        set_m2m(
            programme.taxon_groups,
            [groups[code] for code in spec.groups if code in groups],
        )
        programmes[spec.code] = programme
    return programmes


def datasets_upsert(
    *, organisations: dict[str, Organisation], programmes: dict[str, Programme]
) -> dict[str, Dataset]:
    """Create or update the demo datasets (keyed by a UUID derived from the title)."""
    datasets = {}
    for spec in DATASETS:
        datasets[spec.title], _ = upsert(
            Dataset,
            lookup={"uuid": dataset_uuid(spec.title)},
            values={
                "title": spec.title,
                "short_title": spec.short_title,
                "programme": programmes[spec.programme],
                "producer": organisations[spec.producer],
                "is_public": spec.is_public,
                "licence": spec.licence,
            },
        )
    return datasets
