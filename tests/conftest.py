import sys
from pathlib import Path

# The helpers in tests/ (sitebuild) import as plain modules.
sys.path.insert(0, str(Path(__file__).parent))
