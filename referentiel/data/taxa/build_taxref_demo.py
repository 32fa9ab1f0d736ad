"""Build ``taxref_demo.txt``, a small file in the official TAXREF v18 TXT layout.

Usage (from the repository root, standard library only)::

    python referentiel/data/taxa/build_taxref_demo.py

It reads the real taxon lists of this folder (see README.md), keeps their TAXREF ``cd_nom``
as they are (a code is never made up here), and writes one TAXREF row per distinct cd_nom
with what each list tells us: the classification known for the whole list, the rank
guessed from the shape of the name, the name split into LB_NOM and LB_AUTEUR, and the
vernacular names. Every row is its own valid name (CD_REF = CD_NOM): the lists only hold
names in use. ``manage.py load_demo`` imports the result with ``import_taxref``.
"""

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "taxref_demo.txt"

# Column order of TAXREFv18.txt (as in TaxHub's specific_taxref_v18 import table).
HEADER = (
    "REGNE PHYLUM CLASSE ORDRE FAMILLE SOUS_FAMILLE TRIBU GROUP1_INPN GROUP2_INPN "
    "GROUP3_INPN CD_NOM CD_TAXSUP CD_SUP CD_REF CD_BA RANG LB_NOM LB_AUTEUR "
    "NOMENCLATURAL_COMMENT NOM_COMPLET NOM_COMPLET_HTML NOM_VALIDE NOM_VERN "
    "NOM_VERN_ENG HABITAT FR GF MAR GUA SM SB SPM MAY EPA REU SA TA TAAF PF NC WF "
    "CLI URL URL_INPN"
).split()

CHORDATA = {"REGNE": "Animalia", "PHYLUM": "Chordata", "GROUP1_INPN": "Chordés"}
INSECTA = {
    "REGNE": "Animalia",
    "PHYLUM": "Arthropoda",
    "CLASSE": "Insecta",
    "GROUP1_INPN": "Arthropodes",
    "GROUP2_INPN": "Insectes",
}
AVES = {**CHORDATA, "CLASSE": "Aves", "GROUP2_INPN": "Oiseaux"}
AMPHIBIA = {**CHORDATA, "CLASSE": "Amphibia", "GROUP2_INPN": "Amphibiens"}
REPTILIA = {**CHORDATA, "CLASSE": "Reptilia", "GROUP2_INPN": "Reptiles"}
MAMMALIA = {**CHORDATA, "CLASSE": "Mammalia", "GROUP2_INPN": "Mammifères"}
PLANTAE = {"REGNE": "Plantae"}

# The ``groupe`` column of autres_especes.csv: what it tells about the classification.
OTHER_GROUPS = {
    "chiroptères": {**MAMMALIA, "ORDRE": "Chiroptera"},
    "mammifères": MAMMALIA,
    "oiseaux": AVES,
    "amphibiens": AMPHIBIA,
    "reptiles": REPTILIA,
    "orthoptères": {**INSECTA, "ORDRE": "Orthoptera"},
    "odonates": {**INSECTA, "ORDRE": "Odonata"},
    "rhopalocères": {**INSECTA, "ORDRE": "Lepidoptera"},
    "hétérocères": {**INSECTA, "ORDRE": "Lepidoptera"},
    "coccinelles": {**INSECTA, "ORDRE": "Coleoptera", "FAMILLE": "Coccinellidae"},
    "syrphes": {**INSECTA, "ORDRE": "Diptera", "FAMILLE": "Syrphidae"},
    "abeilles": {**INSECTA, "ORDRE": "Hymenoptera"},
    "punaises": {**INSECTA, "ORDRE": "Hemiptera"},
    "araignées": {
        "REGNE": "Animalia",
        "PHYLUM": "Arthropoda",
        "CLASSE": "Arachnida",
        "ORDRE": "Araneae",
        "GROUP1_INPN": "Arthropodes",
        "GROUP2_INPN": "Arachnides",
    },
    "flore": PLANTAE,
}

# One-word names in the lists that are not genera: (rank, classification of the taxon).
HIGHER_TAXA = {
    "Amphibia": ("CL", {"CLASSE": "Amphibia"}),
    "Passeriformes": ("OR", {"ORDRE": "Passeriformes"}),
    "Squamata": ("OR", {"ORDRE": "Squamata"}),
}
# Conserved alternative family names of botany (ICN art. 18.5), not ending in -aceae.
ALTERNATIVE_FAMILY_NAMES = {
    "Compositae",
    "Cruciferae",
    "Gramineae",
    "Guttiferae",
    "Labiatae",
    "Leguminosae",
    "Palmae",
    "Papilionaceae",
    "Umbelliferae",
}
INFRA_RANKS = {
    "subsp.": "SSES",
    "nothosubsp.": "SSES",
    "var.": "VAR",
    "nothovar.": "VAR",
    "subvar.": "SVAR",
    "f.": "FO",
    # Old French infraspecific ranks of Rouy and Fournier; approximated, TAXREF corrects them.
    "proles": "RACE",
    "sublusus": "FO",
}
# Lower-case words that start an author or a misapplication, never an epithet.
MISAPPLIED = ("auct.", "sensu")
AUTHOR_WORDS = {
    "sensu",
    "non",
    "ex",
    "in",
    "et",
    "de",
    "du",
    "van",
    "von",
    "der",
    "den",
}
HYBRID_SIGNS = {"x", "×"}
EPITHET = re.compile(r"^[a-zæœäëïöü][a-zæœäëïöü-]*$")
YEAR_FIELD = re.compile(r"^\s*\d{4}\b")
# "Alyte accoucheur (L')", "La Cistude d'Europe": the protocol lists' articles.
TRAILING_ARTICLE = re.compile(r"\s*\((?:Le|La|Les|L['’])\)\s*$")
LEADING_ARTICLE = re.compile(r"^(?:Le |La |Les |L['’])(?=\w)")


def split_name(full_name: str) -> tuple[str, str, str]:
    """Split a name with its author into (LB_NOM, LB_AUTEUR, RANG)."""
    tokens = full_name.split()
    if " x " in full_name and re.search(r" x [A-Z]\. ", full_name):
        # A hybrid formula ("Triturus cristatus x T. marmoratus") has no author.
        return " ".join(tokens), "", "ES"
    name = []
    if tokens[0] in HYBRID_SIGNS:  # intergeneric hybrid: "x Cistanthemum revolii"
        name.append(tokens.pop(0))
    name.append(tokens.pop(0))
    rank = "GN"
    while tokens:
        token = tokens[0]
        if token in HYBRID_SIGNS and len(tokens) > 1 and EPITHET.match(tokens[1]):
            name += tokens[:2]
            del tokens[:2]
        elif token in INFRA_RANKS and len(tokens) > 1 and EPITHET.match(tokens[1]):
            name += tokens[:2]
            del tokens[:2]
            rank = INFRA_RANKS[token]
            continue
        elif token == "kl." and len(tokens) > 1:  # klepton: "Pelophylax kl. esculentus"
            name += tokens[:2]
            del tokens[:2]
        elif (
            EPITHET.match(token)
            and token not in AUTHOR_WORDS
            and token not in INFRA_RANKS
            and rank in {"GN", "ES"}
        ):
            name.append(tokens.pop(0))
            # A third bare epithet is a zoological subspecies ("Acanthis flammea cabaret").
            if rank == "ES":
                rank = "SSES"
                continue
        else:
            break
        rank = "ES" if rank == "GN" else rank
    lb_nom, author = " ".join(name), " ".join(tokens)
    if rank == "GN":
        if lb_nom in HIGHER_TAXA:
            rank = HIGHER_TAXA[lb_nom][0]
        elif lb_nom.endswith("aceae") or lb_nom in ALTERNATIVE_FAMILY_NAMES:
            rank = "FM"
    return lb_nom, author, rank


def clean_vernacular(text: str) -> str:
    """Comma-separated vernacular names without the lists' articles and extra spaces."""
    names = []
    for name in text.split(","):
        name = TRAILING_ARTICLE.sub("", " ".join(name.split()))
        without_article = LEADING_ARTICLE.sub("", name)
        if without_article != name:
            name = without_article[:1].upper() + without_article[1:]
        if name and name not in names:
            names.append(name)
    return ", ".join(names)


def read_semicolon_list(path: Path):
    """amphibiens.csv, reptiles.csv: cd_nom;Nom_Latin (with author);Nom_FR."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            yield int(row["cd_nom"]), row["Nom_Latin"], row["Nom_FR"], None


def read_birds(path: Path):
    """oiseaux_communs.csv: cd_nom,nom_vern,lb_nom (properly quoted)."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield int(row["cd_nom"]), row["lb_nom"], row["nom_vern"], None


def read_others(path: Path):
    """autres_especes.csv, especes_complementaires.csv: cd_nom,lb_nom,nom_vern,groupe (and,
    in the second, the family when its source gives it: bees and moths are told apart
    from wasps and butterflies by family, atlas_groups.csv)."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            family = (row.get("famille") or "").strip()
            given = ({"FAMILLE": family},) if family else ()
            yield (
                int(row["cd_nom"]),
                row["lb_nom"],
                row["nom_vern"],
                row["groupe"],
                *given,
            )


def read_flora(path: Path):
    """flore.csv: cd_nom,nom_complet,nom_vern with *unquoted* commas in both text fields.

    The name ends with its year (", 1753"), possibly followed by a nomenclatural note
    ("1753 [nom. cons.]") or a "sensu X, 1901" misapplication; a name without a year
    is the second field alone. Everything after the name is the vernacular list."""
    with path.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            fields = line.rstrip("\n").split(",")
            years = [i for i in range(2, len(fields)) if YEAR_FIELD.match(fields[i])]
            end = 1
            if years:
                end = years[0]
                k = end + 1
                while k < len(fields):
                    if YEAR_FIELD.match(fields[k]):
                        end = k
                    elif (
                        fields[k].strip().startswith("sensu")
                        and k + 1 < len(fields)
                        and YEAR_FIELD.match(fields[k + 1])
                    ):
                        end = k + 1
                        k += 1
                    else:
                        break
                    k += 1
            name = ",".join(fields[1 : end + 1])
            yield int(fields[0]), name, ",".join(fields[end + 1 :]), "flore"


# Family of each genus of lepidopteres_sterf.csv: the STERF list gives the rank and the
# name only, and the atlas groups of butterflies are set by family (atlas_groups.csv).
LEPIDOPTERA_FAMILIES = {
    "Hesperiidae": "Erynnis Ochlodes Pyrgus Thymelicus",
    "Papilionidae": "Papilio",
    "Pieridae": "Anthocharis Colias Gonepteryx Leptidea Pieris",
    "Nymphalidae": (
        "Aglais Apatura Aphantopus Araschnia Argynnis Coenonympha Issoria "
        "Lasiommata Limenitis Maniola Melanargia Pararge Polygonia Pyronia Vanessa"
    ),
    "Lycaenidae": (
        "Aricia Callophrys Celastrina Cupido Lycaena Lysandra Polyommatus "
        "Quercusia Satyrium"
    ),
    "Zygaenidae": "Adscita Rhagades Zygaena",
}
GENUS_FAMILY = {
    genus: family
    for family, genera in LEPIDOPTERA_FAMILIES.items()
    for genus in genera.split()
}


def read_sterf(path: Path):
    """lepidopteres_sterf.csv: "cd_nom","rang","nom_complet" (quoted), a subset of the STERF
    list. Yields the TAXREF rank and the family as well (a fifth item)."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["nom_complet"].strip()
            first = name.split()[0]
            family = first if row["rang"] == "FM" else GENUS_FAMILY[first]
            group = "rhopalocères" if family != "Zygaenidae" else "hétérocères"
            yield (
                int(row["cd_nom"]),
                name,
                "",
                group,
                {"RANG": row["rang"], "FAMILLE": family},
            )


SOURCES = (
    ("amphibiens.csv", read_semicolon_list, AMPHIBIA),
    ("reptiles.csv", read_semicolon_list, REPTILIA),
    ("oiseaux_communs.csv", read_birds, AVES),
    ("autres_especes.csv", read_others, None),
    ("especes_complementaires.csv", read_others, None),
    ("lepidopteres_sterf.csv", read_sterf, None),
    ("flore.csv", read_flora, PLANTAE),
)


def build_rows(skipped: list[int] | None = None) -> dict[int, dict[str, str]]:
    """One TAXREF row per cd_nom; a cd_nom found in two lists is merged, first list first.

    Misapplied names ("auct. non L.", "sensu Coste") are left out and their cd_nom appended
    to ``skipped``."""
    skipped = [] if skipped is None else skipped
    rows: dict[int, dict[str, str]] = {}
    for filename, reader, classification in SOURCES:
        for cd_nom, full_name, vernacular, group, *given in reader(HERE / filename):
            known = classification or OTHER_GROUPS[group]
            lb_nom, author, rank = split_name(" ".join(full_name.split()))
            if author.startswith(MISAPPLIED):
                # A misapplied name is a synonym whose valid name the list does not give:
                # keeping it as a valid name would show wrong names in searches.
                skipped.append(cd_nom)
                continue
            row = dict.fromkeys(HEADER, "")
            row.update(known)
            if lb_nom in HIGHER_TAXA:
                row.update(HIGHER_TAXA[lb_nom][1])
            nom_complet = f"{lb_nom} {author}".strip()
            row.update(
                CD_NOM=str(cd_nom),
                CD_REF=str(cd_nom),
                RANG=rank,
                LB_NOM=lb_nom,
                LB_AUTEUR=author,
                NOM_COMPLET=nom_complet,
                NOM_COMPLET_HTML=f"<i>{lb_nom}</i> {author}".strip(),
                NOM_VALIDE=nom_complet,
                NOM_VERN=clean_vernacular(vernacular),
                URL=f"https://inpn.mnhn.fr/espece/cd_nom/{cd_nom}",
            )
            if given:  # what a list states itself (rank, family) beats the guess
                row.update(given[0])
            if cd_nom in rows:
                previous = rows[cd_nom]
                for column, value in row.items():
                    if not previous[column]:
                        previous[column] = value
            else:
                rows[cd_nom] = row
    return rows


def write(rows: dict[int, dict[str, str]], path: Path = OUTPUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\t".join(HEADER) + "\n")
        for cd_nom in sorted(rows):
            handle.write("\t".join(rows[cd_nom][column] for column in HEADER) + "\n")


def main() -> int:
    skipped: list[int] = []
    rows = build_rows(skipped)
    write(rows)
    print(
        f"{len(rows)} taxons écrits dans {OUTPUT.name}, "
        f"{len(skipped)} noms mal appliqués (auct., sensu) écartés"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
