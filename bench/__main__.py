"""Run the benchmarks against their own databases (never the dev database).

    .venv/bin/python -m bench               # every benchmark (observations at 10 M rows)
    .venv/bin/python -m bench taxref --rows 100000 --queries 50
    .venv/bin/python -m bench occurrences exports indicateurs --occurrences 1000000

The occurrence, export and indicator benchmarks measure the table of ``--occurrences``
rows (10 M by default, issue 21) in its own database (``cpie_bench_occ_10m``; the 1 M one,
``cpie_bench_occ``, is the load benchmark's); each size has its own section of RESULTS.md
(``occurrences`` at 1 M, ``occurrences_10m`` at 10 M), so both stay side by side.

Results go to stdout and to bench/RESULTS.md, where each benchmark rewrites its own section.
A benchmark is a function (arguments, date) → Markdown section, listed in BENCHMARKS.
"""

import argparse
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bench.euring import bench_euring, euring_report
from bench.exports import bench_exports, exports_report
from bench.import_occurrences import bench_import, import_report
from bench.indicateurs import bench_indicateurs, indicateurs_report
from bench.load import bench_load, load_report
from bench.occurrences import REQUESTS as OCCURRENCE_REQUESTS
from bench.occurrences import ROWS_10M as OCCURRENCE_ROWS
from bench.occurrences import bench_occurrences, occurrences_report, section_name
from bench.ringing_entry import bench_ringing_entry, ringing_entry_report
from bench.summary import summary_insert
from bench.taxref import QUERIES, ROWS, bench_taxref, taxref_report
from bench.trim import bench_trim, trim_report

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
INTRO = (
    "# Résultats des benchmarks\n\n"
    "Produits par `.venv/bin/python -m bench` (ou `make bench`) sur des bases dédiées du "
    "cluster local ; chaque benchmark réécrit sa section.\n"
)


def taxref_section(args: argparse.Namespace, when: str) -> str:
    return taxref_report(bench_taxref(rows=args.rows, queries=args.queries), when=when)


def occurrences_section(args: argparse.Namespace, when: str) -> str:
    figures = bench_occurrences(
        rows=args.occurrences, requests=args.requests, reuse=args.reuse_table
    )
    return occurrences_report(figures, when=when)


def import_section(args: argparse.Namespace, when: str) -> str:
    return import_report(bench_import(), when=when)


def exports_section(args: argparse.Namespace, when: str) -> str:
    return exports_report(bench_exports(args.occurrences), when=when)


def euring_section(args: argparse.Namespace, when: str) -> str:
    return euring_report(bench_euring(), when=when)


def ringing_entry_section(args: argparse.Namespace, when: str) -> str:
    return ringing_entry_report(bench_ringing_entry(), when=when)


def indicateurs_section(args: argparse.Namespace, when: str) -> str:
    return indicateurs_report(bench_indicateurs(args.occurrences), when=when)


def trim_section(args: argparse.Namespace, when: str) -> str:
    return trim_report(bench_trim(), when=when)


def load_section(args: argparse.Namespace, when: str) -> str:
    servers = args.load_servers.split(",") if args.load_servers else None
    return load_report(bench_load(servers), when=when)


BENCHMARKS: dict[str, Callable[[argparse.Namespace, str], str]] = {
    "taxref": taxref_section,
    "occurrences": occurrences_section,
    "import": import_section,
    "exports": exports_section,
    "euring": euring_section,
    "ringing_entry": ringing_entry_section,
    "trim": trim_section,
    "indicateurs": indicateurs_section,
    "load": load_section,
}


# The benchmarks of the table of --occurrences rows: one section per size.
SIZED = {"occurrences", "exports", "indicateurs"}


def results_write(name: str, section: str) -> None:
    """Replace this benchmark's section of RESULTS.md, keeping the others, and rebuild
    the Synthèse at the top from all the sections."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else INTRO
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{section}{end}\n"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end) + "\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    RESULTS.write_text(summary_insert(text), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", metavar="nom", help=", ".join(BENCHMARKS))
    parser.add_argument("--rows", type=int, default=ROWS, help="lignes TAXREF")
    parser.add_argument("--queries", type=int, default=QUERIES, help="recherches")
    parser.add_argument(
        "--occurrences",
        type=int,
        default=OCCURRENCE_ROWS,
        help="lignes d'observations (observations, exports, indicateurs ; 10 M par défaut)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=OCCURRENCE_REQUESTS,
        help="requêtes mesurées par cas (observations)",
    )
    parser.add_argument(
        "--reuse-table",
        action="store_true",
        help="observations : mesurer la table déjà chargée, sans la recharger",
    )
    parser.add_argument(
        "--load-servers",
        help="charge : configurations gunicorn comparées, la première détaillée "
        "(ex. sync:5,gthread:3x4,gthread:3x4+pool ; défaut : celle de bench/load.py)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="ne pas écrire bench/RESULTS.md"
    )
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"benchmark inconnu : {', '.join(sorted(unknown))}")
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    for name in args.names or BENCHMARKS:
        section = BENCHMARKS[name](args, when)
        print(section)
        if not args.no_write:
            sized = name in SIZED
            results_write(
                section_name(name, args.occurrences) if sized else name, section
            )


if __name__ == "__main__":
    main()
