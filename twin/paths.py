"""Where the package finds its data.

In a checkout (or an editable install) the data is the repository's top-level ``datasets/``
folder; in an installed wheel the same folder ships inside the package as ``twin._data`` and is
found through :mod:`importlib.resources`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["DATASETS_DIR", "REPO_DIR", "datasets_dir"]

REPO_DIR = Path(__file__).resolve().parent.parent


def datasets_dir() -> Path:
    """The folder holding ``catalog/``, ``scenarios/``, ``sweeps/``, ``tariffs/`` and ``weather/``.

    Returns
    -------
    pathlib.Path
        The packaged data (``twin._data``) when installed from a wheel, else the checkout's
        ``datasets/``.
    """
    packaged = Path(str(files("twin") / "_data"))
    if (packaged / "catalog").is_dir():
        return packaged
    return REPO_DIR / "datasets"


DATASETS_DIR = datasets_dir()
