"""EURING2000+ export benchmark (issue 5: 100,000 captures exported in < 20 s).

Its own database, ``cpie_bench_euring`` on the project-local cluster (fresh, migrated). A child
process with DATABASE_URL pointing to it builds a ringing year quickly — one station in
Pas-de-Calais, 500 sessions of 2020, the species of ``baguage/data/euring_species.csv`` loaded
with ``euring_species_load`` — and inserts 100,000 captures with one ``INSERT … SELECT
generate_series`` (not ``capture_save``: what is measured is the export). About 1 % of the
captures are made invalid (a species without EURING code, a ring number too long) so that the
invalid path is measured too. Then another child times ``euring_export(year=2020, out=file)``
and decodes a sample of the written records with the PyPI ``euring`` package.

    .venv/bin/python -m bench euring
    .venv/bin/python -m bench.euring setup --captures 100000     # child steps, by hand
    .venv/bin/python -m bench.euring measure
"""

import argparse
import json
import random
import subprocess
import sys
import time

from bench.db import OUT, ROOT, bench_env, database_url, psql

DB_NAME = "cpie_bench_euring"
DATABASE_URL = database_url(DB_NAME)
CAPTURES = 100_000
SESSIONS = 500
YEAR = 2020
TARGET_S = 20.0
SAMPLE = 2000
RESULT_MARK = "BENCH-RESULT "
FILE = OUT / "euring-2020.txt"


def _env() -> dict[str, str]:
    return bench_env(DATABASE_URL, STATIC_ROOT=str(OUT / "static"))


def _child(step: str, *arguments: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.euring", step, *arguments],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"bench.euring {step} a échoué :\n{result.stderr[-4000:]}")
    line = next(
        row for row in result.stdout.splitlines() if row.startswith(RESULT_MARK)
    )
    return json.loads(line.removeprefix(RESULT_MARK))


def database_prepare() -> None:
    subprocess.run([str(ROOT / "scripts" / "services.sh")], check=True, cwd=ROOT)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    psql(
        "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
        " CREATE EXTENSION IF NOT EXISTS unaccent;",
        database=DB_NAME,
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        check=True,
        cwd=ROOT,
        env=_env(),
    )


def bench_euring(*, captures: int = CAPTURES) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    database_prepare()
    figures = _child("setup", "--captures", str(captures))
    figures.update(_child("measure"))
    return figures


def _fr(value: float, decimals: int = 0) -> str:
    """French number: narrow no-break space between thousands, decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def euring_report(figures: dict, *, when: str) -> str:
    seconds = figures["seconds"]
    ok = "✅ OK" if seconds < TARGET_S else "❌ trop lent"
    rate = figures["captures"] / seconds if seconds else 0
    return (
        "## Export EURING2000+ (`euring_export`)\n\n"
        f"Mesuré le {when} sur `{DB_NAME}` : {_fr(figures['captures'])} captures de "
        f"{YEAR} ({figures['sessions']} sessions, {figures['species']} espèces EURING "
        "chargées), insérées en SQL (`INSERT … SELECT generate_series`, "
        f"{_fr(figures['insert_seconds'], 1)} s) ; environ 1,7 % rendues invalides "
        "(espèce sans code EURING, numéro de bague trop long).\n\n"
        "| Captures | Écrites | Invalides listées | Secondes | Captures/s | Fichier (Mo) "
        "| RSS max (Mo) | Cible | |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        f"| {_fr(figures['captures'])} | {_fr(figures['written'])} "
        f"| {_fr(figures['invalid'])} | {_fr(seconds, 1)} | {_fr(rate)} "
        f"| {_fr(figures['size_mb'], 1)} | {_fr(figures['rss_mb'])} "
        f"| < {TARGET_S:.0f} s | {ok} |\n\n"
        f"Validation : {_fr(figures['decoded'])} enregistrements tirés au hasard dans le "
        f"fichier, décodés par le paquet PyPI `euring` {figures['euring_version']} : "
        f"{figures['decode_errors']} erreur(s).\n"
        "Une requête `values_list` en flux (curseur serveur, lots de 5 000), stations et "
        "espèces lues une fois ; aucun objet ORM par capture.\n"
    )


# --- Child steps (run with DATABASE_URL = the benchmark database) ----------------------------


def _django():
    import django

    django.setup()


def _setup(captures: int) -> dict:
    _django()
    import datetime as dt

    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
    from django.db import connection

    from baguage.euring import SPECIES_CSV, euring_species_load
    from baguage.models import Capture, RingingProgramme, Session, Station
    from referentiel.models import (
        Commune,
        Dataset,
        Departement,
        Organisation,
        Programme,
        Site,
        Taxon,
    )

    def square(x, y, size):
        polygon = MultiPolygon(Polygon.from_bbox((x, y, x + size, y + size)))
        polygon.srid = 2154
        return polygon

    departement = Departement.objects.create(
        code="62", name="Pas-de-Calais", geom=square(600000, 6980000, 120000)
    )
    Commune.objects.create(
        insee="62528",
        name="Loos-en-Gohelle",
        departement=departement,
        geom=square(681250, 7037050, 6000),
    )
    organisation = Organisation.objects.create(name="CPIE Chaîne des Terrils")
    dataset = Dataset.objects.create(title="Baguage", producer=organisation)
    programme = RingingProgramme.objects.create(
        programme=Programme.objects.create(
            code="STOC-CAPT", name="STOC-Capture", coordinator=organisation
        ),
        kind=RingingProgramme.Kind.STOC,
    )
    site = Site.objects.create(
        name="Marais de la Couture",
        geom=GEOSGeometry("SRID=2154;POINT(684250 7040050)"),
    )
    station = Station.objects.create(site=site, name="Station de la Couture")
    import csv

    with open(SPECIES_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows):
        cd_nom = int(row["cd_nom"] or 9_500_000 + number)
        Taxon.objects.create(
            cd_nom=cd_nom, cd_ref=cd_nom, scientific_name=row["scientific_name"]
        )
    # A species without EURING code: its captures are listed as invalid.
    Taxon.objects.create(cd_nom=9_600_000, cd_ref=9_600_000, scientific_name="Aves sp.")
    species = euring_species_load().loaded
    first = dt.date(YEAR, 1, 1)
    Session.objects.bulk_create(
        Session(
            station=station,
            programme=programme,
            dataset=dataset,
            date=first + dt.timedelta(days=index * 365 // SESSIONS),
            start_time=dt.time(6, 0),
            end_time=dt.time(12, 0),
        )
        for index in range(SESSIONS)
    )
    session_ids = list(Session.objects.order_by("id").values_list("id", flat=True))
    taxon_ids = list(
        Taxon.objects.exclude(cd_nom=9_600_000)
        .order_by("cd_nom")
        .values_list("cd_nom", flat=True)
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Capture._meta.db_table} (
                session_id, line, time, net, action, ring_scheme, ring_number, ring_size,
                taxon_id, age, sex, sexing_method, wing_mm, third_primary_mm, mass_g, fat,
                muscle, brood_patch, moult, tarsus_mm, bill_mm, condition, circumstances,
                other_marks, colour_marks, logger_serial, remarks, created_at, updated_at)
            SELECT
                (%(sessions)s)[1 + (i - 1) %% cardinality(%(sessions)s)],
                1 + (i - 1) / cardinality(%(sessions)s),
                time '06:00' + make_interval(mins => (i * 7) %% 360),
                1 + i %% 12,
                CASE WHEN i %% 9 = 0 THEN 'C' WHEN i %% 997 = 0 THEN 'R' ELSE 'B' END,
                CASE WHEN i %% 211 = 0 THEN 'BLB' ELSE 'FRP' END,
                CASE WHEN i %% 173 = 0 THEN 'TOOLONG' || lpad(i::text, 5, '0')
                     ELSE 'EA' || lpad(i::text, 7, '0') END,
                'A',
                CASE WHEN i %% 151 = 0 THEN 9600000
                     ELSE (%(taxa)s)[1 + (i * 31) %% cardinality(%(taxa)s)] END,
                (ARRAY['3', '4', '5', '6', '2', '0'])[1 + i %% 6],
                (ARRAY['U', 'M', 'F'])[1 + i %% 3],
                CASE WHEN i %% 3 = 0 THEN '' ELSE 'P' END,
                50 + (i %% 400) / 10.0,
                CASE WHEN i %% 4 = 0 THEN 40 + (i %% 200) / 10.0 END,
                8 + (i %% 250) / 10.0,
                i %% 8,
                i %% 4,
                CASE WHEN i %% 5 = 0 THEN '2' ELSE '' END,
                (ARRAY['', 'X', 'J', 'P', 'M'])[1 + i %% 5],
                CASE WHEN i %% 7 = 0 THEN 18 + (i %% 60) / 10.0 END,
                NULL,
                '8',
                '20',
                CASE WHEN i %% 50 = 0 THEN 'BB' ELSE 'ZZ' END,
                CASE WHEN i %% 50 = 0 THEN 'bague verte A' || (i %% 100) ELSE '' END,
                '',
                CASE WHEN i %% 20 = 0 THEN 'Oiseau gras ; « remarque »' ELSE '' END,
                now(),
                now()
            FROM generate_series(1, %(captures)s) AS i
            """,
            {"sessions": session_ids, "taxa": taxon_ids, "captures": captures},
        )
        cursor.execute(f"ANALYZE {Capture._meta.db_table}")
    return {
        "captures": captures,
        "sessions": len(session_ids),
        "species": species,
        "insert_seconds": time.perf_counter() - started,
    }


def _measure() -> dict:
    _django()
    import resource
    from importlib.metadata import version

    from euring import EuringRecord

    from baguage.euring import euring_export

    started = time.perf_counter()
    with open(FILE, "w", encoding="utf-8", newline="\n") as handle:
        written, invalid = euring_export(year=YEAR, out=handle)
    seconds = time.perf_counter() - started
    lines = FILE.read_text(encoding="utf-8").splitlines()
    sample = random.Random(5).sample(lines, min(SAMPLE, len(lines)))
    errors = 0
    for line in sample:
        decoded = EuringRecord.decode(line)
        if decoded.errors["record"] or decoded.errors["fields"]:
            errors += 1
    return {
        "seconds": seconds,
        "written": written,
        "invalid": len(invalid),
        "size_mb": FILE.stat().st_size / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "decoded": len(sample),
        "decode_errors": errors,
        "euring_version": version("euring"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.euring")
    parser.add_argument("step", choices=("setup", "measure"))
    parser.add_argument("--captures", type=int, default=CAPTURES)
    args = parser.parse_args()
    figures = _setup(args.captures) if args.step == "setup" else _measure()
    print(RESULT_MARK + json.dumps(figures))


if __name__ == "__main__":
    main()
