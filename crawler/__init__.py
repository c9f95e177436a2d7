"""newsroom: crawl German news portals, extract and deduplicate articles into Postgres."""

__version__ = "0.1.0"
