import sys
from pathlib import Path

# The factories module sits next to the tests; make it importable however pytest runs.
sys.path.insert(0, str(Path(__file__).parent))
