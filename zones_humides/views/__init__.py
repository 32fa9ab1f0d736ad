"""Pages of the wetlands app, under ``/zones-humides/``."""
