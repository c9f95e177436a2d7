"""The extractor's version: stored with every article so that `reclean` knows what to read again."""

from __future__ import annotations

# Raise it whenever a change of the extractor changes what a stored page yields.
EXTRACTOR_VERSION = "2026.12.01.4"
