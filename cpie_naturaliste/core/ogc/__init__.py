"""OGC API – Features (Part 1 Core, GeoJSON) at ``/ogc/``: the app-neutral machinery.

``collections`` is what an app declares (its ``ogc`` module's ``COLLECTIONS``), ``params``
reads the query parameters, ``views`` answers the requests, ``urls`` mounts them.
"""
