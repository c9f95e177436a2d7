"""Imported last in the clean stage's forkserver: everything a worker needs is loaded before any fork."""

import gc

import crawler.clean  # noqa: F401 - the module of the function every task names (extract_page)
from crawler.extract.article import extract_article

# Workers are forked from the forkserver and share its pages copy-on-write. What a worker loaded for
# itself (the pickled task's module, trafilatura's lazily built tables) was private to each worker,
# so one warm-up extraction loads it here, once, for all of them.
_SAMPLE = (
    "<html lang='de'><head><title>Probe</title><meta property='og:type' content='article'></head><body>"
    "<article><h1>Probe</h1><time datetime='2024-01-02T03:04:05+01:00'>2. Januar 2024</time>"
    "<p class='byline'>Von Erika Mustermann</p>"
    + "<p>Ein Satz, der lang genug ist, um als Absatz eines Artikels zu gelten, und noch etwas mehr.</p>" * 8
    + "</article></body></html>"
)
extract_article(_SAMPLE, url="https://example.invalid/2024/01/02/probe/")
# A collection walking the preloaded objects would write to, and so copy, every page holding one.
gc.freeze()
