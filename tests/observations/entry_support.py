"""The entry form's fields, shared by the entry tests and the bad-input tests."""

import json

# Loos-en-Gohelle in WGS84.
LOOS_LON, LOOS_LAT = 2.7785, 50.4577


def point_json(lon=LOOS_LON, lat=LOOS_LAT):
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def entry_data(species, dataset, observers, /, **overrides):
    """A valid entry of the form (a common frog in Loos-en-Gohelle), with ``overrides``."""
    data = {
        "taxon": species.cd_nom,
        "taxon_search": "Rana temporaria — Grenouille rousse",
        "observation_status": "Pr",
        "date_start": "2021-04-02",
        "geometry": point_json(),
        "coord_system": "wgs84",
        "precision_m": "12",
        "observers": [p.pk for p in observers],
        "dataset": dataset.pk,
        "count_min": "3",
        "count_max": "5",
        "life_stage": "2",
        "sex": "6",
        "obs_technique": "0",
        "bio_status": "3",
        "behaviour": "1",
        "bio_condition": "2",
        "count_object": "IND",
        "count_type": "Co",
        "naturalness": "1",
        "biogeo_status": "1",
        "determination_method": "1",
        "proof_exists": "2",
        "source_status": "Te",
        "geo_object_nature": "St",
        "action": "save",
    }
    data.update(overrides)
    return data
