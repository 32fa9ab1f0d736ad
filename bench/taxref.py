"""TAXREF benchmarks on a synthetic file: ``import_taxref`` throughput and peak memory, then the
latency of ``/api/v1/taxa/?search=`` through the real view on the imported table.

Everything runs against ``cpie_bench`` (see bench/db.py). The import runs as a child process
(``manage.py import_taxref``), so its peak RSS is that process's alone (``os.wait4``).
"""

import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from bench.db import OUT, ROOT, bench_database_prepare, bench_env
from bench.taxref_data import queries_write, search_queries, taxref_file_write

ROWS = 700_000
QUERIES = 200
TARGET_ROWS_PER_S = 20_000
TARGET_RSS_MB = 300
TARGET_P95_MS = 50


@dataclass
class ImportRun:
    label: str
    rows: int
    seconds: float
    rss_mb: float
    output: str

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def import_run(*, label: str, path: Path, rows: int, version: str) -> ImportRun:
    """Run ``manage.py import_taxref`` in a child process; wall time and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_taxref", str(path), "--version", version],
        cwd=ROOT,
        env=bench_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"import_taxref a échoué :\n{output}")
    return ImportRun(label, rows, seconds, usage.ru_maxrss / 1024, output.strip())


@dataclass
class SearchRun:
    queries: int
    latencies_ms: list[float]
    empty: int

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def search_run(queries: list[str]) -> SearchRun:
    """Time each query through DRF's test client (URL routing, auth, filters, serializer)."""
    os.environ.update(bench_env())
    # dev settings keep WhiteNoise, which warns that collectstatic never ran here.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.db import connection
    from rest_framework.test import APIClient

    from referentiel.models import User

    user, _created = User.objects.get_or_create(username="bench")
    client = APIClient()
    client.force_authenticate(user)
    with (
        connection.cursor() as cursor
    ):  # autovacuum would do it a moment after an import
        cursor.execute("VACUUM ANALYZE referentiel_taxon")
    for term in queries[:20]:  # warm the connection and the caches
        client.get("/api/v1/taxa/", {"search": term}, HTTP_HOST="localhost")
    latencies, empty = [], 0
    for term in queries:
        started = time.perf_counter()
        response = client.get("/api/v1/taxa/", {"search": term}, HTTP_HOST="localhost")
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(
                f"{term!r} : HTTP {response.status_code} {response.data}"
            )
        empty += not response.data["results"]
    return SearchRun(len(queries), latencies, empty)


def bench_taxref(*, rows: int = ROWS, queries: int = QUERIES) -> dict:
    """Generate the file, import it three ways, time the search; returns the figures."""
    load = os.getloadavg()[0]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"TAXREFv18-synthetic-{rows}.txt"
    started = time.perf_counter()
    sample = taxref_file_write(path, rows)
    terms = search_queries(sample, queries)
    queries_write(OUT / "taxon-queries.json", terms)
    print(f"Fichier synthétique : {path} ({time.perf_counter() - started:.1f} s)")
    bench_database_prepare(fresh=True)
    runs = [import_run(label="premier import", path=path, rows=rows, version="V18")]
    print(runs[-1].output)
    search = search_run(terms)
    runs.append(
        import_run(label="réimport identique", path=path, rows=rows, version="V18")
    )
    print(runs[-1].output)
    runs.append(
        import_run(
            label="nouvelle version (tout change)", path=path, rows=rows, version="V19"
        )
    )
    print(runs[-1].output)
    return {"rows": rows, "imports": runs, "search": search, "load": load}


def _int(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _dec(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def taxref_report(figures: dict, *, when: str) -> str:
    """The Markdown section of bench/RESULTS.md for this benchmark."""
    search: SearchRun = figures["search"]
    first = figures["imports"][0]
    ok = "✅"
    ko = "❌"
    lines = [
        f"## TAXREF — {_int(figures['rows'])} lignes synthétiques ({when})",
        "",
        "| Mesure | Résultat | Cible | |",
        "|---|---|---|---|",
    ]
    for run in figures["imports"]:
        lines.append(
            f"| import_taxref, {run.label} | {_int(run.rows_per_s)} lignes/s "
            f"({_dec(run.seconds)} s) | ≥ {_int(TARGET_ROWS_PER_S)} lignes/s | "
            f"{ok if run.rows_per_s >= TARGET_ROWS_PER_S else ko} |"
        )
    for run in figures["imports"]:
        lines.append(
            f"| mémoire maximale (RSS), {run.label} | {_int(run.rss_mb)} Mo | "
            f"< {TARGET_RSS_MB} Mo | {ok if run.rss_mb < TARGET_RSS_MB else ko} |"
        )
    p50, p95 = search.percentile(0.50), search.percentile(0.95)
    worst = max(search.latencies_ms)
    lines += [
        f"| recherche de taxons, p50 ({search.queries} requêtes) | {_dec(p50)} ms | | |",
        f"| recherche de taxons, p95 | {_dec(p95)} ms | < {TARGET_P95_MS} ms | "
        f"{ok if p95 < TARGET_P95_MS else ko} |",
        f"| recherche de taxons, requête la plus lente | {_dec(worst)} ms | | |",
        "",
        "Import : `manage.py import_taxref` dans un processus fils, temps mesuré de "
        "bout en bout (démarrage de Django compris), RSS maximale de ce processus "
        f"(`os.wait4`). Sortie du premier import : « {first.output} »",
        "",
        "Recherche : `GET /api/v1/taxa/?search=…` par le client de test de DRF "
        "(routage, authentification, filtres, sérialisation), après `VACUUM ANALYZE`, "
        f"sur {search.queries} débuts de noms latins et français de 3 à 8 lettres "
        f"(fréquents et rares, avec ou sans accents) ; {search.empty} sans résultat.",
        "",
        f"Machine : {os.cpu_count()} cœurs, charge moyenne au départ "
        f"{_dec(figures['load'])} (d'autres processus peuvent tourner en même temps).",
    ]
    return "\n".join(lines) + "\n"
