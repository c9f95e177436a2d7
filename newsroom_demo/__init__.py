"""Demo news portal: a deterministic German WordPress-style site on loopback for tests and benchmarks."""

from newsroom_demo.content import LabelledDoc, labelled_corpus
from newsroom_demo.site import Portal, StorySpec

__all__ = ["LabelledDoc", "Portal", "StorySpec", "labelled_corpus"]
