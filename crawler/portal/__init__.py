"""Demo news portal: a deterministic German WordPress-style site on loopback for tests and benchmarks."""

from crawler.portal.content import LabelledDoc, labelled_corpus
from crawler.portal.site import Portal, StorySpec

__all__ = ["LabelledDoc", "Portal", "StorySpec", "labelled_corpus"]
