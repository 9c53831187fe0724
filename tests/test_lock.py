"""The lock files hold what pyproject.toml asks for: a dependency changed without `make lock`
fails here, before an install from the stale lock leaves it out."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
DEV = [Requirement(line) for line in PROJECT["optional-dependencies"]["dev"]]


def pins(lock: str) -> dict[NormalizedName, Version]:
    """The `name==version` lines of a lock file written by pip-compile."""
    text = (ROOT / lock).read_text()
    return {
        canonicalize_name(name): Version(version)
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M)
    }


def out_of_lock(requirements: list[Requirement], lock: str) -> list[str]:
    """What the lock misses or pins outside pyproject.toml's range, one sentence each."""
    locked = pins(lock)
    problems = []
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate():
            continue
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{lock} has no {requirement.name} (pyproject.toml: {requirement})")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{lock} pins {requirement.name}=={version}, outside {requirement}")
    return problems


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.txt", RUNTIME), ("requirements-dev.txt", RUNTIME + DEV)],
)
def test_the_lock_pins_every_dependency_within_its_range(
    lock: str, requirements: list[Requirement]
) -> None:
    assert out_of_lock(requirements, lock) == [], "run `make lock`"


def test_the_dev_lock_installs_the_same_runtime_versions_as_the_runtime_lock() -> None:
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    differ = {name: (version, dev.get(name)) for name, version in runtime.items()}
    assert {name: pair for name, pair in differ.items() if pair[0] != pair[1]} == {}


def test_a_dependency_missing_from_the_lock_or_outside_its_range_is_reported() -> None:
    stale = [Requirement("httpx>=99"), Requirement("not-a-locked-package>=1")]
    assert out_of_lock(stale, "requirements.txt") == [
        f"requirements.txt pins httpx=={pins('requirements.txt')['httpx']}, outside httpx>=99",
        "requirements.txt has no not-a-locked-package (pyproject.toml: not-a-locked-package>=1)",
    ]
