"""Joint action fixtures on top of the shared personas (tests/conftest.py):
- mark: handler at the market regulation bureau (assists; takes part in joint actions)
- pete: handler at the police (takes part; receives referred findings)
"""

import pytest

from casework.org.models import Membership
from tests.conftest import make_user


@pytest.fixture
def mark(luoyang):
    return make_user("mark", luoyang["market_regulation"], Membership.Role.HANDLER)


@pytest.fixture
def pete(luoyang):
    return make_user("pete", luoyang["police"], Membership.Role.HANDLER)
