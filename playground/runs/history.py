"""What a user does to a run in the history: star it, note it, delete it, keep it as a preset.

Only the user who ran it (or an admin) changes a run; team members who see a team run
read it. A deleted run is gone with its text (its usage leaves the usage page with it).
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from playground.presets import permissions as preset_permissions
from playground.presets.models import Preset, PresetVersion
from playground.presets.services import preset_create, preset_save
from playground.runs.models import Run
from playground.runs.selectors import RunNotFound, is_admin, run_get

MAX_NOTE_CHARS = 5_000


class RunChangeRefused(Exception):
    """The run cannot be changed so; the message says why."""


def can_change(user: AbstractBaseUser | Any, run: Run) -> bool:
    return is_admin(user) or (run.user_id is not None and run.user_id == user.pk)


def _own_run(user: AbstractBaseUser | Any, run_id: Any) -> Run:
    run = run_get(user=user, run_id=run_id)
    if not can_change(user, run):
        # A teammate reads a team run but does not change it: told like any missing run.
        raise RunNotFound()
    return run


def run_star(*, user: AbstractBaseUser | Any, run_id: Any, starred: bool) -> Run:
    run = _own_run(user, run_id)
    Run.objects.filter(pk=run.pk).update(starred=starred)
    run.starred = starred
    return run


def run_note_set(*, user: AbstractBaseUser | Any, run_id: Any, note: str) -> Run:
    run = _own_run(user, run_id)
    note = note.replace("\x00", "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise RunChangeRefused(
            "note: "
            + _("at most %(limit)s characters (this one has %(count)s).")
            % {"limit": f"{MAX_NOTE_CHARS:,}", "count": f"{len(note):,}"}
        )
    Run.objects.filter(pk=run.pk).update(note=note)
    run.note = note
    return run


def run_delete(*, user: AbstractBaseUser | Any, run_id: Any) -> None:
    run = _own_run(user, run_id)
    run.delete()


def run_save_as_preset(
    *, user: User, run_id: Any, name: str, as_version: bool
) -> tuple[Preset, PresetVersion | None]:
    """A new preset holding the run's request, or (``as_version``) a new version of the
    preset the run came from, when the user may save versions of it."""
    run = run_get(user=user, run_id=run_id)
    if run.request is None:
        raise RunChangeRefused(
            _("This run's prompts and replies were deleted: there is no request to save.")
        )
    with transaction.atomic():
        if as_version:
            preset = run.preset
            if preset is None or not preset_permissions.can_save_version(user, preset):
                raise RunChangeRefused(_("You may not save versions of this run's preset."))
            version = preset_save(
                preset_id=preset.pk,
                author=user,
                request=run.request,
                base_version=None,
                message=_("From run %(id)s") % {"id": run.pk},
            )
            return preset, version
        preset = preset_create(
            owner=user,
            name=name,
            request=run.request,
            message=_("From run %(id)s") % {"id": run.pk},
        )
        return preset, None
