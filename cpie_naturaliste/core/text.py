import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def normalize_search(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for searching names ("Œillet" → "oeillet")."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())
