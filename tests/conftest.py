import pytest


@pytest.fixture
def curator(db):
    from tests.factories import UserFactory

    return UserFactory(
        username="curator",
        permissions=[f"timeline.{action}_{model}" for action in ("add", "change") for model in ("event", "actor")],
    )
