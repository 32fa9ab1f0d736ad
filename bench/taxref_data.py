"""A synthetic TAXREF v18 file: plausible names, a consistent classification, ~70 % synonyms.

Written row by row (constant memory). Genera hold species and subspecies; each valid name has
synonyms (other genus combinations, spelling variants) pointing to it through CD_REF; about 15 %
of rows carry a French vernacular name, most of them accented. A sample of names is kept to
build realistic search queries.
"""

import json
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

HEADER = (
    "REGNE PHYLUM CLASSE ORDRE FAMILLE SOUS_FAMILLE TRIBU GROUP1_INPN GROUP2_INPN "
    "GROUP3_INPN CD_NOM CD_TAXSUP CD_SUP CD_REF CD_BA RANG LB_NOM LB_AUTEUR "
    "NOMENCLATURAL_COMMENT NOM_COMPLET NOM_COMPLET_HTML NOM_VALIDE NOM_VERN NOM_VERN_ENG "
    "HABITAT FR GF MAR GUA SM SB SPM MAY EPA REU SA TA TAAF PF NC WF CLI URL URL_INPN"
).split()
TERRITORIES = HEADER[HEADER.index("GF") : HEADER.index("CLI") + 1]

SYLLABLES = (
    "ac al an ar as ba be bi bo bra ca ce chi cla co cu da de di do dra du e fa fe fi "
    "fo ga ge gi go gu ha he hi ho i la le li lo lu ly ma me mi mo mu na ne ni no nu "
    "o pa pe phi pi po pte ra re rhi ri ro ru sa sce se si so sta stro ta te thy ti to "
    "tri tu u va ve vi xa ze"
).split()
GENUS_ENDINGS = "us a um ia ella opsis ites odon ax ium ops ina ea".split()
EPITHET_ENDINGS = (
    "us a is ensis oides ata atus ii ae um ica icus ella ior osa ina".split()
)
AUTHORS = (
    "Linnaeus|Fabricius|Latreille|Meigen|Lamarck|Schrank|Walker|Boheman|Hübner|"
    "Denis & Schiffermüller|Müller|De Candolle|Kerguélen|Boissier|Lacépède|Cuvier"
).split("|")
NOUNS = (
    "Mésange Fauvette Pouillot Bécasseau Grenouille Crapaud Triton Libellule Agrion "
    "Criquet Sauterelle Coccinelle Abeille Bourdon Syrphe Araignée Épeire Punaise "
    "Orchis Œillet Épervière Renoncule Laîche Potentille Véronique Gaillet Céraiste "
    "Chouette Hibou Pipistrelle Murin Noctule Musaraigne Campagnol Hérisson Zygène "
    "Piéride Azuré Mélitée Nacré Hespérie Écaille Noctuelle Géomètre Lézard Couleuvre "
    "Vipère Orvet Pic Bruant Busard Gesse Trèfle Pâturin Fétuque Mouron Érable"
).split()
ADJECTIVES = (
    "commun|des marais|à tête noire|élégant|de Bechstein|des prés|à ailes tachées|"
    "cendré|doré|bleue|pâle|méridional|des bois|de Fabricius|d'Europe|à queue fourchue|"
    "ibérique|forestier|des rochers|à deux points|printanier|nain|géant|roussâtre|"
    "épineux|huppé|à collier|des sables|velu|fluet|des champs|précoce|tardif|grêle"
).split("|")
# (kingdom, phylum, class, order, group1, group2, group3, share of genera)
LINEAGES = (
    ("Animalia", "Chordata", "Aves", "Passeriformes", "Chordés", "Vertébrés", "Oiseaux", 2),
    ("Animalia", "Chordata", "Amphibia", "Anura", "Chordés", "Vertébrés", "Amphibiens", 1),
    ("Animalia", "Chordata", "Mammalia", "Chiroptera", "Chordés", "Vertébrés", "Mammifères", 1),
    ("Animalia", "Arthropoda", "Insecta", "Lepidoptera", "Arthropodes", "Insectes", "Insectes", 12),
    ("Animalia", "Arthropoda", "Insecta", "Coleoptera", "Arthropodes", "Insectes", "Insectes", 16),
    ("Animalia", "Arthropoda", "Insecta", "Diptera", "Arthropodes", "Insectes", "Insectes", 8),
    ("Animalia", "Arthropoda", "Insecta", "Hymenoptera", "Arthropodes", "Insectes", "Insectes", 8),
    ("Animalia", "Arthropoda", "Insecta", "Odonata", "Arthropodes", "Insectes", "Insectes", 1),
    ("Animalia", "Arthropoda", "Insecta", "Orthoptera", "Arthropodes", "Insectes", "Insectes", 1),
    ("Animalia", "Arthropoda", "Arachnida", "Araneae", "Arthropodes", "Arachnides", "Araignées", 3),
    ("Animalia", "Mollusca", "Gastropoda", "Stylommatophora", "Mollusques", "Gastéropodes", "Gastéropodes", 4),
    ("Plantae", "Tracheophyta", "Equisetopsida", "Asterales", "Trachéophytes", "Angiospermes", "Dicotylédones", 14),
    ("Plantae", "Tracheophyta", "Equisetopsida", "Poales", "Trachéophytes", "Angiospermes", "Monocotylédones", 6),
    ("Plantae", "Bryophyta", "Bryopsida", "Hypnales", "Bryophytes", "Mousses", "Mousses", 5),
    ("Fungi", "Basidiomycota", "Agaricomycetes", "Agaricales", "Ascomycètes", "Champignons", "Champignons", 10),
)  # fmt: skip
SYNONYMS_PER_VALID = 7 / 3  # 70 % synonyms
VERNACULAR_SHARE = 0.15


def _word(rng: random.Random, low: int, high: int, endings: list[str]) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(low, high))) + rng.choice(
        endings
    )


class _Writer:
    """Builds TAXREF rows; cd_nom values grow with gaps, as in the real file."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.cd_nom = 1000

    def next_cd_nom(self) -> int:
        self.cd_nom += self.rng.randint(1, 3)
        return self.cd_nom

    def row(
        self,
        *,
        lineage,
        family,
        cd_nom,
        cd_ref,
        cd_sup,
        rank,
        name,
        author,
        valid_full,
        vern,
    ):
        kingdom, phylum, class_, order, g1, g2, g3, _share = lineage
        values = {column: "" for column in HEADER}
        full = f"{name} {author}"
        values.update(
            REGNE=kingdom, PHYLUM=phylum, CLASSE=class_, ORDRE=order, FAMILLE=family,
            GROUP1_INPN=g1, GROUP2_INPN=g2, GROUP3_INPN=g3, CD_NOM=str(cd_nom),
            CD_TAXSUP=str(cd_sup or ""), CD_SUP=str(cd_sup or ""), CD_REF=str(cd_ref),
            RANG=rank, LB_NOM=name, LB_AUTEUR=author, NOM_COMPLET=full,
            NOM_COMPLET_HTML=f"<i>{name}</i> {author}", NOM_VALIDE=valid_full or full,
            NOM_VERN=vern, HABITAT=str(self.rng.randint(1, 8)),
            FR=self.rng.choice("PPPPEIJ") if cd_nom == cd_ref else "",
            URL=f"https://inpn.mnhn.fr/espece/cd_nom/{cd_nom}",
            URL_INPN=f"https://inpn.mnhn.fr/espece/cd_nom/{cd_nom}",
        )  # fmt: skip
        return "\t".join(values[column] for column in HEADER) + "\n"


def _author(rng: random.Random) -> str:
    author = f"{rng.choice(AUTHORS)}, {rng.randint(1758, 2020)}"
    return f"({author})" if rng.random() < 0.4 else author


def _vernacular(rng: random.Random) -> str:
    name = f"{rng.choice(NOUNS)} {rng.choice(ADJECTIVES)}"
    if rng.random() < 0.2:
        name += f", {rng.choice(NOUNS)} {rng.choice(ADJECTIVES)}"
    return name


def taxref_rows(rows: int, seed: int = 18, sample: list | None = None) -> Iterator[str]:
    """Yield the header then ``rows`` TAXREF lines; append (latin, french) names to ``sample``."""
    rng = random.Random(seed)
    writer = _Writer(rng)
    weights = [lineage[-1] for lineage in LINEAGES]
    families = [
        (rng.choices(LINEAGES, weights)[0], _word(rng, 2, 3, ["idae"]).capitalize())
        for _ in range(3000)
    ]
    yield "\t".join(HEADER) + "\n"
    emitted = 0
    while emitted < rows:
        lineage, family = rng.choice(families)
        genus = _word(rng, 1, 3, GENUS_ENDINGS).capitalize()
        genus_cd = writer.next_cd_nom()
        block = [(genus_cd, genus, None, "GN")]
        for _ in range(max(1, int(rng.expovariate(1 / 4)))):
            epithet = _word(rng, 1, 3, EPITHET_ENDINGS)
            block.append((writer.next_cd_nom(), f"{genus} {epithet}", genus_cd, "ES"))
            if rng.random() < 0.15:
                sub = _word(rng, 1, 3, EPITHET_ENDINGS)
                name = f"{genus} {epithet} subsp. {sub}"
                block.append((writer.next_cd_nom(), name, genus_cd, "SSES"))
        for cd_nom, name, cd_sup, rank in block:
            author = _author(rng)
            vern = _vernacular(rng) if rng.random() < VERNACULAR_SHARE else ""
            yield writer.row(
                lineage=lineage, family=family, cd_nom=cd_nom, cd_ref=cd_nom,
                cd_sup=cd_sup, rank=rank, name=name, author=author, valid_full="", vern=vern,
            )  # fmt: skip
            emitted += 1
            if sample is not None and rng.random() < 0.01:
                sample.append((name, vern))
            valid_full = f"{name} {author}"
            for _ in range(_poisson(rng, SYNONYMS_PER_VALID)):
                words = name.split(" ")
                if rng.random() < 0.6:  # another genus combination
                    words[0] = _word(rng, 1, 3, GENUS_ENDINGS).capitalize()
                else:  # a spelling variant
                    words[-1] = words[-1][:-1] + rng.choice("aeiouy")
                vern_syn = _vernacular(rng) if rng.random() < VERNACULAR_SHARE else ""
                yield writer.row(
                    lineage=lineage, family=family, cd_nom=writer.next_cd_nom(),
                    cd_ref=cd_nom, cd_sup=cd_sup, rank=rank, name=" ".join(words),
                    author=_author(rng), valid_full=valid_full, vern=vern_syn,
                )  # fmt: skip
                emitted += 1
                if emitted >= rows:
                    return
            if emitted >= rows:
                return


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; mean is small.
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def taxref_file_write(path: Path, rows: int, seed: int = 18) -> list[tuple[str, str]]:
    """Write a synthetic TAXREF file of ``rows`` rows; returns a sample of (latin, french)."""
    sample: list[tuple[str, str]] = []
    with path.open("w", encoding="utf-8") as out:
        for line in taxref_rows(rows, seed=seed, sample=sample):
            out.write(line)
    return sample


def search_queries(
    sample: list[tuple[str, str]], count: int = 200, seed: int = 7
) -> list[str]:
    """Autocomplete terms as typed: 3–8 letter prefixes of Latin and French names, some
    with a second word, some without their accents."""
    rng = random.Random(seed)
    latin = [latin for latin, _french in sample]
    binomials = [name for name in latin if " " in name]
    french = [french for _latin, french in sample if french]
    queries = []
    while len(queries) < count:
        kind = rng.random()
        if kind < 0.45:
            queries.append(rng.choice(latin).split()[0][: rng.randint(3, 8)])
        elif kind < 0.65:
            genus, epithet = rng.choice(binomials).split()[:2]
            queries.append(
                f"{genus[: rng.randint(3, 6)]} {epithet[: rng.randint(2, 5)]}"
            )
        else:
            words = rng.choice(french).split(",")[0].split()
            term = words[0][: rng.randint(3, 8)]
            if len(words) > 1 and rng.random() < 0.3:
                term += " " + words[-1][: rng.randint(2, 5)]
            if rng.random() < 0.3:  # typed without accents or capitals
                term = _unaccent(term).lower()
            queries.append(term)
    return queries


def _unaccent(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("Œ", "Oe").replace("œ", "oe"))
    return "".join(c for c in text if not unicodedata.combining(c))


def queries_write(path: Path, queries: list[str]) -> None:
    path.write_text(json.dumps(queries, ensure_ascii=False, indent=0), encoding="utf-8")
