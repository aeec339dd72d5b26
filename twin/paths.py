"""Where the package finds its data."""

from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DATASETS_DIR = REPO_DIR / "datasets"
