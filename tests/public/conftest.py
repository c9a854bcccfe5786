"""The synthetic quarter of the supervision tests (issued circulars appear on the portal)."""

from tests.supervision.conftest import q3  # noqa: F401
