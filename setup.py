"""Packaging glue that ``pyproject.toml`` cannot state: the top-level ``datasets/`` folder ships inside
the ``twin`` package as ``twin._data`` (so it cannot collide with another distribution's top-level
``datasets`` package); everything else is in ``pyproject.toml``."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["twin", "twin.*", "models", "models.*", "dash_app", "dash_app.*"]) + ["twin._data"],
    package_dir={"twin._data": "datasets"},
    package_data={
        "twin": ["py.typed", "templates/*.j2", "templates/*.css", "vendor/*.js", "vendor/*.txt", "vendor/*.md"],
        "twin._data": ["catalog/*.csv", "scenarios/*.yaml", "sweeps/*.yaml", "tariffs/*.yaml", "weather/*.csv"],
        "dash_app": ["assets/*"],
    },
)
