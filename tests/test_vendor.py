"""The browser libraries the pages serve from static/vendor/ are the files of the npm
packages pinned in package-lock.json (copied there by ``make vendor``, committed so that a
fresh clone serves them without npm or internet)."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# npm package → {file in the package: its committed copy}
VENDORED = {
    "leaflet.vectorgrid": {
        "dist/Leaflet.VectorGrid.bundled.min.js": (
            "static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
        ),
    },
}


def test_vendored_files_are_the_locked_packages_files():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for package, files in VENDORED.items():
        locked = lock["packages"][f"node_modules/{package}"]["version"]
        installed = ROOT / "node_modules" / package
        manifest = installed / "package.json"
        assert manifest.exists(), f"{package} n'est pas installé : lancer `make node`"
        assert json.loads(manifest.read_text())["version"] == locked, (
            f"node_modules/{package} n'est pas la version verrouillée {locked} : `make node`"
        )
        readme = (
            ROOT / Path(next(iter(files.values()))).parent / "README.md"
        ).read_text()
        assert f"{package}@{locked}" in readme
        for source, copy in files.items():
            assert (ROOT / copy).read_bytes() == (installed / source).read_bytes(), (
                f"{copy} diffère de {package}@{locked} : lancer `make vendor` et valider"
            )
