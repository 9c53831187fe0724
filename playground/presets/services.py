"""Preset logic as plain keyword-only functions that views, consumers and tests call.

Every function that acts for a user checks playground.presets.permissions first:
a preset the user may not see raises PresetNotFound (views answer 404, so ids
cannot be probed); one they see but may not change raises PermissionDenied (403).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground import spec
from playground.jsonpath import path_text, walk
from playground.presets import names, permissions
from playground.presets.models import (
    TRASH_RETENTION,
    Preset,
    PresetLinkVisit,
    PresetMove,
    PresetVersion,
    Visibility,
    new_link_token,
)
from playground.row_ids import row_number
from playground.storable import first_unstorable, unstorable_reason
from playground.teams.models import Membership, Role, Team
from playground.uploads.services import upload_keep

# Who asks: signed in, or a visitor holding a preset's link (who may read and export it).
Visitor = AbstractBaseUser | AnonymousUser

EXPORT_FORMAT = "prompt-playground/presets"
MAX_NAME_LENGTH = names.MAX_NAME_LENGTH
MAX_TAGS_LENGTH = 500

# Refusals that say who may do it, so the refused user knows whom to ask.
MOVE_REFUSED = gettext_noop(
    "Only the preset's owner or an owner of its team may move it to another team; ask one of them."
)


def _top_level() -> str:
    """Where an import's error is when it is the whole file, in the reader's language."""
    return _("(top level)")


# preset_share(team_id=UNCHANGED) leaves the team alone (a form without a team input).
UNCHANGED: Any = object()


class PresetNotFound(Exception):
    """No preset with this id that the user may see (it may exist; they are not told)."""


class StaleVersion(Exception):
    """A save was based on a version that is no longer the latest."""

    def __init__(self, *, base: int, latest: int) -> None:
        super().__init__(
            _(
                "This preset changed since you opened it (you edited version %(base)s, the "
                "latest is version %(latest)s). Nothing was overwritten: save as a new version "
                "or fork it."
            )
            % {"base": base, "latest": latest}
        )
        self.base = base
        self.latest = latest


class PresetChanged(Exception):
    """The preset changed since the form was loaded: nothing was written; reload and redo."""

    def __init__(self, *, unsaved: str = "") -> None:
        # ``unsaved`` says what the refused change was, so the user can make it again.
        if unsaved:
            message = _(
                "This preset was changed meanwhile (by someone else, or in another tab), so "
                "your change was not saved: %(unsaved)s. Reload the page to see the preset as "
                "it is now, then make your change again."
            ) % {"unsaved": unsaved}
        else:
            message = _(
                "This preset was changed meanwhile (by someone else, or in another tab), so "
                "your change was not saved. Reload the page to see the preset as it is now, "
                "then make your change again."
            )
        super().__init__(message)
        self.unsaved = unsaved


class PresetInputInvalid(Exception):
    """A name, tag, team or visibility that cannot be stored; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


class ImportInvalid(Exception):
    """An import file refused as a whole: what is wrong, and where (a key path or a line)."""

    def __init__(self, reason: str, *, where: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.where = where


def request_clean(*, data: Any) -> dict[str, Any]:
    """Validate a request JSON value and return it exactly as it will be stored."""
    run = spec.validate_request(data)  # refuses bodies too deep to serialise, too
    stored = {
        "mode": run.mode,
        "provider": run.provider,
        "body": spec.template_body(run),
        "variables": dict(run.variables),
    }
    unstorable = first_unstorable(stored)
    if unstorable:
        raise spec.RequestInvalid(dict([unstorable]))
    return stored


def _text_clean(value: Any, *, field: str) -> str:
    """Free text (a description, a version message) as stored; refuse what cannot be."""
    text = str(value or "").strip()
    reason = unstorable_reason(text)
    if reason:
        raise PresetInputInvalid({field: reason})
    return text


def tags_clean(*, tags: str | list[str]) -> str:
    """Normalise tags to "a, b, c": lower case, trimmed, unique, in the order given."""
    items = tags.split(",") if isinstance(tags, str) else tags
    seen: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    joined = _text_clean(", ".join(seen), field="tags")
    if len(joined) > MAX_TAGS_LENGTH:
        raise PresetInputInvalid(
            {"tags": _("at most %(limit)s characters in all") % {"limit": MAX_TAGS_LENGTH}}
        )
    return joined


def _name_clean(name: Any) -> str:
    name = _text_clean(" ".join(str(name or "").split()), field="name")
    if not name:
        raise PresetInputInvalid({"name": _("must not be empty")})
    if len(name) > MAX_NAME_LENGTH:
        raise PresetInputInvalid(
            {"name": _("at most %(limit)s characters") % {"limit": MAX_NAME_LENGTH}}
        )
    return name


def _team_clean(*, user: User, team_id: Any) -> Team | None:
    """The team a user may put presets in: one where they are an editor or an owner."""
    if team_id in (None, ""):
        return None
    membership = None
    number = row_number(team_id)
    if number is not None:
        membership = (
            Membership.objects.select_related("team")
            .filter(user_id=user.pk, team_id=number, role__in=[Role.OWNER, Role.EDITOR])
            .first()
        )
    if membership is None:
        raise PresetInputInvalid(
            {"team": _("pick one of your teams where you are an editor or an owner")}
        )
    return membership.team


def _visibility_clean(*, visibility: Any, team: Team | None) -> str:
    if visibility not in Visibility.values:
        raise PresetInputInvalid(
            {
                "visibility": _("%(value)s is not allowed (use %(allowed)s)")
                % {"value": repr(visibility), "allowed": ", ".join(Visibility.values)}
            }
        )
    if visibility == Visibility.TEAM and team is None:
        raise PresetInputInvalid({"visibility": _("pick a team to share with the team")})
    return visibility


def _lock(preset: Preset) -> None:
    """Lock the preset's row and reload ``preset`` from it (inside transaction.atomic).

    Concurrent changes to one preset queue here (SQLite: the IMMEDIATE transaction already
    holds the write lock), so what a change reads, and records in the history, is what is
    there when it writes; the permission checks that follow see it too.
    """
    if not Preset.objects.select_for_update().filter(pk=preset.pk).exists():
        raise PresetNotFound()
    preset.refresh_from_db()


def _refuse_if_changed(preset: Preset, *, revision: Any, unsaved: str) -> None:
    """PresetChanged when the form was loaded at another revision than the locked row's.

    ``revision`` None: a caller with no form (a script, the admin): nothing to compare.
    """
    if revision is not None and str(revision).strip() != str(preset.revision):
        raise PresetChanged(unsaved=unsaved)


def _bump(preset: Preset, *fields: str) -> None:
    """Save the changed fields with the next revision (the row is locked by _lock)."""
    preset.revision += 1
    preset.save(update_fields=[*fields, "revision"])


def _require(
    check: Callable[..., bool],
    actor: Visitor,
    preset: Preset,
    link_token: str | None = None,
    *,
    refusal: str = "",
) -> None:
    if check(actor, preset, link_token):
        return
    if permissions.can_view(actor, preset, link_token) or permissions.can_restore(actor, preset):
        raise PermissionDenied(refusal or _("Your role does not allow this on this preset."))
    raise PresetNotFound()


@transaction.atomic
def preset_create(
    *,
    owner: User,
    name: str,
    request: Any,
    description: str = "",
    tags: str | list[str] = "",
    team_id: Any = None,
    visibility: str = Visibility.PRIVATE,
    link_allows_anonymous: bool = False,
    message: str = "",
) -> Preset:
    """Create a preset with its first version from a request JSON value."""
    stored = request_clean(data=request)
    team = _team_clean(user=owner, team_id=team_id)
    visibility = _visibility_clean(visibility=visibility, team=team)
    preset = Preset.objects.create(
        owner=owner,
        name=_name_clean(name),
        description=_text_clean(description, field="description"),
        tags=tags_clean(tags=tags),
        team=team,
        visibility=visibility,
        link_token=new_link_token() if visibility == Visibility.LINK else None,
        link_allows_anonymous=bool(link_allows_anonymous) and visibility == Visibility.LINK,
    )
    PresetVersion.objects.create(
        preset=preset,
        number=1,
        request=stored,
        author=owner,
        message=_text_clean(message, field="message")[:500],
    )
    upload_keep(stored)
    return preset


def preset_save(
    *,
    preset_id: Any,
    author: User,
    request: Any,
    base_version: int | None,
    message: str = "",
) -> PresetVersion:
    """Add a new version; refuse with StaleVersion when base_version is not the latest.

    base_version=None means "save as new version on top of whatever is latest".
    """
    stored = request_clean(data=request)
    message = _text_clean(message, field="message")[:500]
    with transaction.atomic():
        # Lock the preset row: concurrent saves of one preset queue here, so the
        # stale check and the next number are computed against committed state.
        preset = Preset.objects.select_for_update().filter(pk=preset_id).first()
        if preset is None:
            raise PresetNotFound()
        _require(permissions.can_save_version, author, preset)
        latest = preset.versions.order_by("-number").values_list("number", flat=True).first() or 0
        if base_version is not None and base_version != latest:
            raise StaleVersion(base=base_version, latest=latest)
        upload_keep(stored)
        return PresetVersion.objects.create(
            preset=preset,
            number=latest + 1,
            request=stored,
            author=author,
            message=message,
        )


def preset_restore_version(*, actor: User, preset: Preset, number: int) -> PresetVersion:
    """Save an old version's request again as the newest version; nothing is overwritten."""
    _require(permissions.can_save_version, actor, preset)
    old = preset.versions.filter(number=number).first()
    if old is None:
        raise PresetInputInvalid(
            {"version": _("this preset has no version %(number)s") % {"number": number}}
        )
    return preset_save(
        preset_id=preset.pk,
        author=actor,
        request=old.request,
        base_version=None,
        message=_("Restored version %(number)s") % {"number": number},
    )


def preset_rename(
    *,
    actor: User,
    preset: Preset,
    name: str,
    description: str,
    tags: str | list[str],
    revision: Any = None,
) -> Preset:
    """Set the name, description and tags; PresetChanged when ``revision`` is not current."""
    _require(permissions.can_rename, actor, preset)
    clean_name = _name_clean(name)
    clean_description = _text_clean(description, field="description")
    clean_tags = tags_clean(tags=tags)
    with transaction.atomic():
        _lock(preset)
        _require(permissions.can_rename, actor, preset)  # the role may have changed meanwhile
        _refuse_if_changed(
            preset, revision=revision, unsaved=_("name “%(name)s”") % {"name": clean_name}
        )
        preset.name, preset.description, preset.tags = clean_name, clean_description, clean_tags
        _bump(preset, "name", "description", "tags")
    return preset


def _same_team(preset: Preset, team_id: Any) -> bool:
    return str(team_id if team_id is not None else "") == str(preset.team_id or "")


def _move_target(*, actor: User, preset: Preset, team_id: Any) -> Team | None:
    """The team a preset may move to for this actor; refuse with a message that says why.

    The actor must be the preset's owner or an owner of its team (permissions.can_move),
    and the target a team where the actor is an editor or an owner. Only the preset's
    owner may take it out of every team: a team owner would lose sight of it, and it is
    not theirs to make private.
    """
    _require(permissions.can_move, actor, preset, refusal=_(MOVE_REFUSED))
    if _same_team(preset, team_id):
        return preset.team
    if team_id in (None, "") and preset.owner_id != actor.pk:
        owner = preset.owner.get_username()
        raise PresetInputInvalid(
            {
                "team": _(
                    "only its owner (%(owner)s) may take it out of its team; pick one of your "
                    "teams where you are an editor or an owner"
                )
                % {"owner": owner}
            }
        )
    return _team_clean(user=actor, team_id=team_id)


def _record_move(*, actor: User, preset: Preset, team: Team | None) -> None:
    """Set the preset's team and record the move; no version: its request is unchanged."""
    from_team = preset.team
    preset.team = team
    record_team_change(actor=actor, preset=preset, from_team=from_team)


def record_team_change(*, actor: User, preset: Preset, from_team: Team | None) -> None:
    """Record that ``preset`` (its team already set) moved from ``from_team``, if it did.

    Also for the Django admin, where staff change the team field directly."""
    if from_team == preset.team:
        return
    PresetMove.objects.create(
        preset=preset,
        actor=actor,
        from_team=from_team,
        from_team_name=from_team.name if from_team else "",
        to_team=preset.team,
        to_team_name=preset.team.name if preset.team else "",
    )


def preset_move(*, actor: User, preset: Preset, team_id: Any, revision: Any = None) -> Preset:
    """Move a preset to another team (``None`` or "": no team), keeping its visibility."""
    with transaction.atomic():
        _lock(preset)
        # First: the team the form offered as current may no longer be.
        _refuse_if_changed(preset, revision=revision, unsaved=_("the move to another team"))
        team = _move_target(actor=actor, preset=preset, team_id=team_id)
        _visibility_clean(visibility=preset.visibility, team=team)
        _record_move(actor=actor, preset=preset, team=team)
        _bump(preset, "team")
    return preset


def preset_share(
    *,
    actor: User,
    preset: Preset,
    visibility: str,
    team_id: Any = UNCHANGED,
    link_allows_anonymous: bool = False,
    new_link: bool = False,
    revision: Any = None,
) -> Preset:
    """Set who sees the preset; ``new_link`` replaces the link so the old one stops working.

    A different ``team_id`` moves the preset as preset_move does (same rules, recorded).
    """
    with transaction.atomic():
        _lock(preset)
        # First: a stale form's team would read as a move back to where the preset was.
        _refuse_if_changed(preset, revision=revision, unsaved=_("the sharing settings"))
        if team_id is UNCHANGED or _same_team(preset, team_id):
            _require(permissions.can_share, actor, preset)
            team = preset.team
        else:
            team = _move_target(actor=actor, preset=preset, team_id=team_id)
        visibility = _visibility_clean(visibility=visibility, team=team)
        _record_move(actor=actor, preset=preset, team=team)
        preset.visibility = visibility
        preset.link_allows_anonymous = bool(link_allows_anonymous) and visibility == Visibility.LINK
        if visibility == Visibility.LINK and (new_link or not preset.link_token):
            preset.link_token = new_link_token()
        elif visibility != Visibility.LINK:
            # Leaving "link" revokes it: turning link sharing back on later gives a new URL.
            preset.link_token = None
        _bump(preset, "team", "visibility", "link_allows_anonymous", "link_token")
    return preset


def preset_link_visit_record(
    *, user: Visitor, preset: Preset, link_token: str | None
) -> PresetLinkVisit | None:
    """Remember that a signed-in user opened the preset through its link (None: nothing to keep).

    Only when the link is what lets them in: the list shows the preset to its owner and
    team members anyway. Revisiting updates ``last_opened`` and the token seen.
    """
    token = preset.link_token
    if not (user.is_authenticated and token):
        return None
    if not permissions.only_through_link(user, preset, link_token):
        return None
    now = timezone.now()
    visit, _ = PresetLinkVisit.objects.update_or_create(
        user_id=user.pk,
        preset=preset,
        defaults={"link_token": token, "last_opened": now},
        create_defaults={"link_token": token, "first_opened": now, "last_opened": now},
    )
    return visit


@transaction.atomic
def preset_fork(
    *,
    actor: User,
    preset: Preset,
    link_token: str | None = None,
    version: int | None = None,
    name: str = "",
    request: Any = None,
) -> Preset:
    """Copy a preset (its latest or a given version) into the actor's own private space.

    ``request`` forks with the actor's unsaved edits instead (the stale-save "fork" option).
    """
    _require(permissions.can_fork, actor, preset, link_token)
    if request is None:
        versions = preset.versions.order_by("-number")
        source = versions.filter(number=version).first() if version else versions.first()
        if source is None:
            raise PresetInputInvalid(
                {"version": _("this preset has no version %(number)s") % {"number": version}}
            )
        request, number = source.request, source.number
    else:
        number = version or preset.versions.order_by("-number").values_list("number", flat=True)[0]
    fork = preset_create(
        owner=actor,
        name=name or (_("%(name)s (fork)") % {"name": preset.name})[:MAX_NAME_LENGTH],
        description=preset.description,
        tags=preset.tags,
        request=request,
        message=_("Forked from %(name)s v%(number)s") % {"name": preset.name, "number": number},
    )
    fork.forked_from = preset
    fork.forked_from_version = number
    fork.save(update_fields=["forked_from", "forked_from_version"])
    return fork


def preset_delete(*, actor: User, preset: Preset) -> Preset:
    """Move to the trash; restorable for TRASH_RETENTION, then `purge_trash` removes it."""
    with transaction.atomic():
        _lock(preset)
        _require(permissions.can_delete, actor, preset)
        preset.deleted_at = timezone.now()
        _bump(preset, "deleted_at")
    return preset


def preset_restore(*, actor: User, preset: Preset) -> Preset:
    with transaction.atomic():
        _lock(preset)
        _require(permissions.can_restore, actor, preset)
        deleted_at = preset.deleted_at
        if deleted_at is None or deleted_at < timezone.now() - TRASH_RETENTION:
            raise PresetNotFound()  # past the retention: as good as purged
        preset.deleted_at = None
        _bump(preset, "deleted_at")
    return preset


def trash_purge(*, now: Any = None) -> int:
    """Delete for good the presets in the trash longer than TRASH_RETENTION; return how many."""
    cutoff = (now or timezone.now()) - TRASH_RETENTION
    expired = Preset.objects.filter(deleted_at__lt=cutoff)
    count = expired.count()
    expired.delete()  # versions go with their preset (CASCADE)
    return count


# --- Import and export ----------------------------------------------------------------------


def presets_export(*, actor: Visitor, presets: list[Preset], link_token: str | None = None) -> dict:
    """The export document: every version of each preset, in the stored request format."""
    for preset in presets:
        # preset_list annotates the link of a preset listed because it was opened by link.
        _require(permissions.can_export, actor, preset, link_token or _visit_link(preset))
    return {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "presets": [
            {
                "name": preset.name,
                "description": preset.description,
                "tags": preset.tag_list,
                "versions": [
                    {
                        "number": version.number,
                        "message": version.message,
                        "created_at": version.created_at.isoformat(),
                        "request": version.request,
                    }
                    for version in preset.versions.order_by("number")
                ],
            }
            for preset in presets
        ],
    }


def _visit_link(preset: Preset) -> str | None:
    return getattr(preset, "visit_link", None)


def presets_import(*, owner: User, text: str) -> list[Preset]:
    """Create presets from an export file (one or many); refuse the whole file on any error.

    Accepted shapes: an export document ``{"presets": [...]}``, a list of presets, or one
    preset. A preset has a ``name`` and either ``versions`` (each with a ``request``) or a
    single ``request``. Every request is validated like a run; nothing is written unless
    all of them pass.
    """
    return presets_import_files(owner=owner, files=[("", text)]).presets


@dataclass(frozen=True)
class Imported:
    """What an import created, and which names it changed (as in the file, as stored)."""

    presets: list[Preset]
    renamed: list[tuple[str, str]]


def presets_import_files(*, owner: User, files: list[tuple[str, str]]) -> Imported:
    """Several files (name, text) at once: all of them, or nothing when one is wrong.

    An error's ``where`` starts with the file's name ("bad.json, line 3, column 5").
    A preset named like one its owner already has gets a distinct name (presets.names).
    """
    import_size_check(
        sizes=[(name, len(text.encode("utf-8", "surrogatepass"))) for name, text in files]
    )
    read = []
    for name, text in files:
        try:
            read.append((name, _import_read(text)))
        except ImportInvalid as invalid:
            raise ImportInvalid(
                invalid.reason, where=_in_file(name, invalid.where, files)
            ) from None
    # Counted before any request is validated: the bounds also bound the work done.
    _import_count_check([entries for _, (entries, _) in read])
    planned: list[dict[str, Any]] = []
    for name, (entries, prefix) in read:
        try:
            planned.extend(
                _import_entry(entry, f"{prefix}[{i}]") for i, entry in enumerate(entries)
            )
        except ImportInvalid as invalid:
            raise ImportInvalid(
                invalid.reason, where=_in_file(name, invalid.where, files)
            ) from None
    return _import_write(owner=owner, planned=planned)


def _in_file(name: str, where: str, files: list[tuple[str, str]]) -> str:
    """Where in which file: the file's name comes first when there are several."""
    if len(files) == 1:
        return where
    # Translators: a place in one of several imported files, e.g. "a.json, line 3, column 5".
    return _("%(file)s, %(where)s") % {"file": name, "where": where}


def import_size_check(*, sizes: list[tuple[str, int]]) -> None:
    """Refuse an import whose files (name, bytes) hold more than PLAYGROUND_IMPORT_MAX_BYTES.

    Views call it with the uploads' sizes before reading them."""
    limit = settings.PLAYGROUND_IMPORT_MAX_BYTES
    total = sum(size for _, size in sizes)
    if total > limit:
        numbers = {"files": len(sizes), "total": f"{total:,}", "limit": f"{limit:,}"}
        if len(sizes) > 1:
            reason = _(
                "the %(files)s files hold %(total)s bytes; an import may hold at most "
                "%(limit)s bytes (PLAYGROUND_IMPORT_MAX_BYTES); split it into smaller imports."
            )
        else:
            reason = _(
                "the file holds %(total)s bytes; an import may hold at most %(limit)s bytes "
                "(PLAYGROUND_IMPORT_MAX_BYTES); split it into smaller imports."
            )
        raise ImportInvalid(
            reason % numbers,
            where=sizes[0][0] if len(sizes) == 1 and sizes[0][0] else _("file"),
        )


def _import_count_check(files: list[list[Any]]) -> None:
    """Refuse more presets or versions than the settings allow in one import."""
    presets = sum(len(entries) for entries in files)
    versions = sum(_versions_in(entry) for entries in files for entry in entries)
    for count, limit, refusal in (
        (
            presets,
            settings.PLAYGROUND_IMPORT_MAX_PRESETS,
            _(
                "%(count)s presets found; an import may hold at most %(limit)s presets in all "
                "(PLAYGROUND_IMPORT_MAX_PRESETS); split it into smaller imports."
            ),
        ),
        (
            versions,
            settings.PLAYGROUND_IMPORT_MAX_VERSIONS,
            _(
                "%(count)s versions found; an import may hold at most %(limit)s versions in all "
                "(PLAYGROUND_IMPORT_MAX_VERSIONS); split it into smaller imports."
            ),
        ),
    ):
        if count > limit:
            raise ImportInvalid(
                refusal % {"count": f"{count:,}", "limit": f"{limit:,}"},
                where=_top_level() if len(files) == 1 else _("files"),
            )


def _versions_in(entry: Any) -> int:
    versions = entry.get("versions") if isinstance(entry, dict) else None
    return len(versions) if isinstance(versions, list) else 1


def _import_read(text: str) -> tuple[list[Any], str]:
    """A file's preset entries (not yet checked) and the key path they are under."""
    try:
        data = json.loads(text, parse_constant=_NotJSONNumber)
    except json.JSONDecodeError as error:
        raise ImportInvalid(
            # Translators: the parser's own reason (in English) follows in parentheses.
            _("not valid JSON (%(reason)s)") % {"reason": error.msg},
            where=_("line %(line)s, column %(column)s")
            % {"line": error.lineno, "column": error.colno},
        ) from None
    except RecursionError:
        raise ImportInvalid(_("nested too deeply to read"), where=_top_level()) from None
    _refuse_non_json_numbers(data)
    return _import_entries(data)


def _import_write(*, owner: User, planned: list[dict[str, Any]]) -> Imported:
    created, renamed = [], []
    day = timezone.localdate()
    with transaction.atomic():
        # The owner's presets outside the trash: the names their list and lookups compare.
        taken = set(
            Preset.objects.filter(owner=owner, deleted_at__isnull=True).values_list(
                "name", flat=True
            )
        )
        for plan in planned:
            name = names.distinct_name(plan["name"], taken=taken, day=day)
            taken.add(name)
            if name != plan["name"]:
                renamed.append((plan["name"], name))
            preset = Preset.objects.create(
                owner=owner, name=name, description=plan["description"], tags=plan["tags"]
            )
            for number, (request, message) in enumerate(plan["versions"], start=1):
                PresetVersion.objects.create(
                    preset=preset, number=number, request=request, author=owner, message=message
                )
                upload_keep(request)
            created.append(preset)
    return Imported(presets=created, renamed=renamed)


class _NotJSONNumber(str):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON has no such numbers."""


def _refuse_non_json_numbers(data: Any) -> None:
    """Name the key of the first NaN/Infinity; stored, it would export as invalid JSON."""
    for path, value in walk(data):
        if isinstance(value, _NotJSONNumber):
            raise ImportInvalid(
                _("%(value)s is not a JSON number") % {"value": value},
                where=path_text(path) or _top_level(),
            )


def _import_entries(data: Any) -> tuple[list[Any], str]:
    if isinstance(data, dict) and "presets" in data:
        if data.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
            raise ImportInvalid(
                _("must be %(format)s") % {"format": repr(EXPORT_FORMAT)}, where="format"
            )
        if not isinstance(data["presets"], list) or not data["presets"]:
            raise ImportInvalid(_("must be a non-empty list of presets"), where="presets")
        return data["presets"], "presets"
    if isinstance(data, list):
        if not data:
            raise ImportInvalid(_("the list holds no presets"), where=_top_level())
        return data, ""
    if isinstance(data, dict):
        return [data], ""
    raise ImportInvalid(
        _("must be a preset object, a list of presets, or an export file"), where=_top_level()
    )


def _import_entry(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ImportInvalid(_("must be an object with a name and versions"), where=where)
    try:
        name = _name_clean(entry.get("name"))
    except PresetInputInvalid as error:
        raise ImportInvalid(error.errors["name"], where=f"{where}.name") from None
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ImportInvalid(_("must be text"), where=f"{where}.description")
    if reason := unstorable_reason(description):
        raise ImportInvalid(reason, where=f"{where}.description")
    tags = entry.get("tags", [])
    if not isinstance(tags, list | str) or (
        isinstance(tags, list) and not all(isinstance(t, str) for t in tags)
    ):
        raise ImportInvalid(_("must be a list of text tags"), where=f"{where}.tags")
    try:
        tags = tags_clean(tags=tags)
    except PresetInputInvalid as error:
        raise ImportInvalid(error.errors["tags"], where=f"{where}.tags") from None
    if "versions" in entry:
        versions = entry["versions"]
        if not isinstance(versions, list) or not versions:
            raise ImportInvalid(_("must be a non-empty list"), where=f"{where}.versions")
        sources = [(v, f"{where}.versions[{j}]") for j, v in enumerate(versions)]
    elif "request" in entry:
        sources = [({"request": entry["request"]}, where)]
    else:
        raise ImportInvalid(_("needs 'versions' or 'request'"), where=where)
    cleaned = []
    for version, at in sources:
        if not isinstance(version, dict) or "request" not in version:
            raise ImportInvalid(_("must be an object with a 'request'"), where=at)
        try:
            request = request_clean(data=version["request"])
        except spec.RequestInvalid as invalid:
            field, message = next(iter(invalid.errors.items()))
            raise ImportInvalid(message, where=f"{at}.request ({field})") from None
        message = version.get("message", "")
        if not isinstance(message, str):
            raise ImportInvalid(_("must be text"), where=f"{at}.message")
        if reason := unstorable_reason(message):
            raise ImportInvalid(reason, where=f"{at}.message")
        cleaned.append((request, message[:500]))
    return {"name": name, "description": description.strip(), "tags": tags, "versions": cleaned}
