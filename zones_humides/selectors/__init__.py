"""Reads built for the pages, the API and the exports of the wetlands app."""
