"""The 2019–2021 demo of CPIE Naturaliste, built from the organisation's real context.

``demo_load()`` loads the shipped reference files (communes, demo taxa), then upserts the
organisations, people, sites, programmes, datasets and demo accounts by their natural
keys: running it twice leaves the database as it was.
"""

from .loader import DemoSummary, demo_load

__all__ = ["DemoSummary", "demo_load"]
