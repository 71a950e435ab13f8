import pytest
from django.core.cache import cache


@pytest.fixture
def curator(db):
    from tests.factories import UserFactory

    return UserFactory(
        username="curator",
        permissions=[f"timeline.{action}_{model}" for action in ("add", "change") for model in ("event", "actor")],
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached responses (the cache outlives the rolled-back database)."""
    cache.clear()
    yield
    cache.clear()
