"""Preset logic as plain keyword-only functions that views, consumers and tests call."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from playground import spec
from playground.presets.models import Preset, PresetVersion


class StaleVersion(Exception):
    """A save was based on a version that is no longer the latest."""

    def __init__(self, *, base: int, latest: int) -> None:
        super().__init__(
            f"This preset changed since you opened it (you edited version {base}, the latest is "
            f"version {latest}). Nothing was overwritten: save as a new version or fork it."
        )
        self.base = base
        self.latest = latest


def request_clean(*, data: Any) -> dict[str, Any]:
    """Validate a request JSON value and return it exactly as it will be stored."""
    run = spec.validate_request(data)
    return {
        "mode": run.mode,
        "provider": run.provider,
        "body": spec.upstream_body(run),
        "variables": dict(run.variables),
    }


@transaction.atomic
def preset_create(
    *, owner: AbstractBaseUser, name: str, request: Any, description: str = ""
) -> Preset:
    """Create a preset with its first version from a request JSON value."""
    stored = request_clean(data=request)
    preset = Preset.objects.create(owner=owner, name=name, description=description)
    PresetVersion.objects.create(preset=preset, number=1, request=stored, author=owner)
    return preset


def preset_save(
    *,
    preset_id: Any,
    author: AbstractBaseUser,
    request: Any,
    base_version: int | None,
    message: str = "",
) -> PresetVersion:
    """Add a new version; refuse with StaleVersion when base_version is not the latest.

    base_version=None means "save as new version on top of whatever is latest".
    """
    stored = request_clean(data=request)
    with transaction.atomic():
        # Lock the preset row: concurrent saves of one preset queue here, so the
        # stale check and the next number are computed against committed state.
        preset = Preset.objects.select_for_update().get(pk=preset_id)
        latest = preset.versions.order_by("-number").values_list("number", flat=True).first() or 0
        if base_version is not None and base_version != latest:
            raise StaleVersion(base=base_version, latest=latest)
        return PresetVersion.objects.create(
            preset=preset, number=latest + 1, request=stored, author=author, message=message
        )
