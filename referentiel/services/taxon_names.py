"""Scientific names → TAXREF cd_nom, for files that name taxa instead of giving a cd_nom
(a GBIF download, an iNaturalist export: their taxonID is not TAXREF's).

One query for all the distinct names of a file. A name matches first as written (case
ignored), with or without its authorship ("Alauda arvensis Linnaeus, 1758" is TAXREF's
name and author); failing that, its bare name (authorship stripped) matches a TAXREF name.
A match is kept only when it is unambiguous: one name, or names that all point to one
valid name (cd_ref), which is then the one given, as TAXREF resolves synonyms.
"""

import re

from django.db import connection
from django.utils.translation import gettext as _

from referentiel.models import Taxon

# Words that stay in a name: rank markers and hybrid signs of infraspecific names.
_RANK_MARKERS = frozenset(
    {"subsp.", "ssp.", "var.", "f.", "fo.", "forma", "subvar.", "cv.", "×", "x"}
)
# Lower-case words that begin an authorship ("de Candolle", "van Rossem", "in", "ex").
_AUTHOR_PARTICLES = frozenset(
    {"de", "del", "della", "der", "den", "van", "von", "du", "da", "le", "la", "in",
     "ex", "&", "et", "d'", "l'"}
)  # fmt: skip
_AUTHOR_START = re.compile(r"^[A-ZÀ-Ý(\[\d]|^d'|^l'")


def name_without_authorship(name: str) -> str:
    """The genus and up to two lower-case epithets (rank markers kept) of ``name``: the
    authorship, whose first word starts with an upper-case letter, a parenthesis or a year,
    is dropped. "Pica pica (Linnaeus, 1758)" → "Pica pica"."""
    words = name.split()
    if not words:
        return ""
    kept, epithets = [words[0]], 0
    for word in words[1:]:
        if word.lower() in _RANK_MARKERS:
            kept.append(word)
            continue
        if _AUTHOR_START.match(word) or word.lower() in _AUTHOR_PARTICLES:
            break
        if epithets == 2:
            break
        kept.append(word)
        epithets += 1
    return " ".join(kept)


def taxa_by_names(names) -> dict[str, int | str]:
    """``{name: cd_nom}`` for each name found unambiguously in TAXREF, ``{name: French
    message}`` for the others (not found, ambiguous)."""
    names = sorted({n.strip() for n in names if n and n.strip()})
    if not names:
        return {}
    bare = [name_without_authorship(n) for n in names]
    table = Taxon._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH wanted AS (
                SELECT name, lower(name) AS lname, lower(bare) AS lbare
                FROM unnest(%s::text[], %s::text[]) AS w(name, bare)
            ), found AS (
                SELECT w.name, t.cd_nom, t.cd_ref, t.scientific_name, t.author,
                       CASE WHEN lower(t.scientific_name) = w.lname
                              OR lower(t.scientific_name || ' ' || t.author) = w.lname
                            THEN 1 ELSE 2 END AS level
                FROM wanted w JOIN {table} t
                  ON lower(t.scientific_name) IN (w.lname, w.lbare)
            )
            SELECT name, cd_nom, cd_ref, scientific_name, author FROM found f
            WHERE level = (SELECT min(level) FROM found g WHERE g.name = f.name)
            ORDER BY name, cd_nom
            """,
            [names, bare],
        )
        found: dict[str, list[tuple]] = {}
        for name, *taxon in cursor.fetchall():
            found.setdefault(name, []).append(tuple(taxon))
    result: dict[str, int | str] = {}
    for name in names:
        taxa = found.get(name, [])
        refs = {cd_ref for _nom, cd_ref, _sn, _a in taxa}
        if not taxa:
            result[name] = _("Nom « %s » introuvable dans TAXREF.") % name
        elif len(taxa) == 1:
            result[name] = taxa[0][0]
        elif len(refs) == 1:
            result[name] = refs.pop()
        else:
            shown = ", ".join(
                f"{sn} {author} (cd_nom {nom})".replace("  ", " ")
                for nom, _ref, sn, author in taxa[:6]
            )
            result[name] = _(
                "Nom « %(name)s » ambigu : %(taxa)s ; donnez le cd_nom."
            ) % {"name": name, "taxa": shown + ("…" if len(taxa) > 6 else "")}
    return result
