"""Pages of the observations app (``/observations/``)."""
