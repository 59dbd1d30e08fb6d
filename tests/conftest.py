import sys
from pathlib import Path

import pytest

from dataetik import i18n

# The helpers in tests/ (sitebuild) import as plain modules.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def danish_messages():
    """The expected messages are the fixture sites', in Danish; a test may switch (i18n.use) for itself."""
    i18n.use("da")
    yield
    i18n.use("da")
