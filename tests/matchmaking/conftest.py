"""Fixtures of the matchmaking tests."""

import pytest

from matchmaking.engine import embedder


@pytest.fixture
def e5(settings):
    """The real multilingual model instead of the tests' hashing embedder."""
    settings.MATCHING_EMBEDDER = "matchmaking.engine.embedder.E5Embedder"
    embedder.get_embedder.cache_clear()
    yield embedder.get_embedder()
    embedder.get_embedder.cache_clear()
