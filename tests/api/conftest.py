import pytest

from api.models import Scope
from api.services import create_token


@pytest.fixture
def token_for(db):
    """A personal API token of the person (read-write unless told), as their tool holds it."""

    def make(user, scope=Scope.READ_WRITE, days=30):
        return create_token(user=user, name="Our ITSM tool", scope=scope, days=days)[1]

    return make


@pytest.fixture
def bearer():
    def headers(token):
        return {"Authorization": f"Bearer {token}"}

    return headers
