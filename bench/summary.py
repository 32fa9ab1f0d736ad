"""The "Synthèse" at the top of bench/RESULTS.md: every row of the sections' Markdown
tables that carries a ✅/❌ mark, with its target (a "Cible…" or "Seuil" column) and its
measured value, and the list of targets not met.

It is rebuilt from the sections' text each time a benchmark writes its own section, so
it always matches the sections present, even when only one benchmark was run.
"""

import re
from dataclasses import dataclass

BEGIN, END = "<!-- bench-synthese -->", "<!-- /bench-synthese -->"
SECTION = re.compile(
    r"<!-- bench:(?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /bench:(?P=name) -->", re.S
)
BLOCK = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n*", re.S)
WHEN = re.compile(r"\s*\((?:[^()]*\s)?(\d{4}-\d{2}-\d{2} \d{2}:\d{2})\)\s*$")
MEASURED = ("Mesure", "Résultat")
UNIT = re.compile(r"\((ms|s|Mo)\)$")


@dataclass(frozen=True)
class Target:
    section: str
    figure: str
    target: str
    measured: str
    met: bool


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _mark(cells: list[str]) -> bool | None:
    for cell in cells:
        if cell.startswith("✅"):
            return True
        if cell.startswith("❌"):
            return False
    return None


def _key(header: str) -> str:
    """What a target column is about: "Cible (p95)" → "p95", "Cible 5xx" → "5xx"."""
    inner = re.search(r"\(([^)]*)\)", header)
    return (inner.group(1) if inner else header.removeprefix("Cible")).strip()


def _value(header: str, cell: str) -> str:
    unit = UNIT.search(header)
    return f"{cell} {unit.group(1)}" if unit and cell and cell[-1].isdigit() else cell


def _row_target(headers: list[str], cells: list[str]) -> tuple[str, str]:
    """(target, measured) texts of a marked row."""
    targets = [
        i
        for i, header in enumerate(headers)
        if i > 0 and (header.startswith("Cible") or header == "Seuil")
    ]
    parts, measured = [], []
    for i in targets:
        key = _key(headers[i]) if headers[i].startswith("Cible") else ""
        text = cells[i]
        if key:
            text = f"{key} {text}" if text[:1] in "<>≤≥=" else f"{key} : {text}"
            column = next(
                (j for j, h in enumerate(headers) if j > 0 and h.startswith(key)), None
            )
            if column is not None and column not in targets:
                measured.append(f"{key} : {_value(headers[column], cells[column])}")
        parts.append(text)
    named = [i for i, h in enumerate(headers) if i > 0 and h in MEASURED]
    if named:
        measured = [cells[named[0]]]
    elif not measured:
        others = [
            i
            for i, h in enumerate(headers)
            if i > 0 and i not in targets and h and _mark([cells[i]]) is None
        ]
        seconds = [i for i in others if headers[i] == "Secondes"]
        measured = (
            [f"{cells[seconds[0]]} s"]
            if seconds
            else [f"{headers[i]} : {_value(headers[i], cells[i])}" for i in others]
        )
    return " ; ".join(parts) or "—", " ; ".join(measured) or "—"


def targets_collect(text: str) -> list[Target]:
    """Every marked row of every benchmark section of RESULTS.md, in order."""
    found = []
    for match in SECTION.finditer(text):
        title = subtitle = ""
        headers: list[str] | None = None
        for line in match.group("body").splitlines():
            if line.startswith("## "):
                title, subtitle = WHEN.sub("", line[3:]).strip(), ""
            elif line.startswith("### "):
                subtitle = line[4:].strip()
            if not line.startswith("|"):
                headers = None
                continue
            cells = _cells(line)
            if headers is None:
                headers = cells
                continue
            met = _mark(cells)
            if set(line) <= set("|-: ") or met is None or len(cells) != len(headers):
                continue
            target, measured = _row_target(headers, cells)
            figure = cells[0]
            if re.fullmatch(r"[\d\s]+", figure):  # "100 000" alone: say of what
                figure = f"{headers[0]} : {figure}"
            figure = f"{subtitle} › {figure}" if subtitle else figure
            found.append(Target(title, figure, target, measured, met))
    return found


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def summary_block(text: str) -> str:
    """The Synthèse block, markers included, for the sections in ``text``."""
    targets = targets_collect(BLOCK.sub("", text))
    missed = [t for t in targets if not t.met]
    lines = [
        BEGIN,
        "## Synthèse",
        "",
        f"Régénérée à chaque écriture d'une section : {len(targets)} mesures avec une "
        f"cible, {len(targets) - len(missed)} atteintes, {len(missed)} non atteintes.",
        "",
        "| Section | Mesure | Cible | Mesuré | |",
        "|---|---|---|---|---|",
        *(
            f"| {_escape(t.section)} | {_escape(t.figure)} | {_escape(t.target)} | "
            f"{_escape(t.measured)} | {'✅' if t.met else '❌'} |"
            for t in targets
        ),
        "",
    ]
    if missed:
        lines.append(f"Cibles non atteintes ({len(missed)}) :")
        lines.append("")
        lines += [
            f"- {t.section} — {t.figure} : {t.measured} (cible {t.target})"
            for t in missed
        ]
    else:
        lines.append("Toutes les cibles sont atteintes.")
    lines.append(END)
    return "\n".join(lines) + "\n"


def summary_insert(text: str) -> str:
    """``text`` with its Synthèse block (re)placed before the first section."""
    text = BLOCK.sub("", text)
    block = summary_block(text)
    first = text.find("<!-- bench:")
    if first < 0:
        return text.rstrip("\n") + "\n\n" + block
    return text[:first] + block + "\n" + text[first:]
