"""Build ``static/data/hauts-de-france.geojson``, the offline base layer of every map.

Usage (from the repository root)::

    .venv/bin/python scripts/build_map_outline.py [DIR]

Reads the IGN/INSEE département outlines ``departement-*.geojson`` of DIR (default
``referentiel/data/communes/``), simplifies them in Lambert-93 with a 250 m tolerance
(invisible at regional zoom, ~40 kB instead of ~220 kB) and writes WGS84 coordinates
rounded to 4 decimals (~10 m). Run once; the output is committed.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "static" / "data" / "hauts-de-france.geojson"
TOLERANCE_M = 250


def rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(coordinates[0], 4), round(coordinates[1], 4)]
    return [rounded(part) for part in coordinates]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpie_naturaliste.settings.dev")
    # GEOS is reached through Django's GIS bindings, which need configured settings first.
    import django

    django.setup()
    from django.contrib.gis.geos import GEOSGeometry

    source = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "referentiel/data/communes"
    )
    features = []
    for path in sorted(source.glob("departement-*.geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["features"] if data.get("type") == "FeatureCollection" else [data]
        for item in items:
            geom = GEOSGeometry(json.dumps(item["geometry"]), srid=4326)
            geom.transform(2154)
            geom = geom.simplify(TOLERANCE_M, preserve_topology=True)
            geom.transform(4326)
            shape = json.loads(geom.geojson)
            shape["coordinates"] = rounded(shape["coordinates"])
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": item["properties"]["code"],
                        "nom": item["properties"]["nom"],
                    },
                    "geometry": shape,
                }
            )
    collection = {
        "type": "FeatureCollection",
        "name": "Départements des Hauts-de-France (IGN / INSEE, Licence Ouverte)",
        "features": features,
    }
    OUTPUT.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    print(f"{len(features)} départements écrits dans {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
