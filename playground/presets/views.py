"""Thin views over presets.services and presets.selectors.

Refusals: a preset the user may not see answers 404 (or, signed out, the login page),
the same as an id that does not exist, so ids cannot be probed; one they see but may
not change answers 403. A preset's read-only link carries its token as ``?link=``.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_POST

from playground.forms import request_from_form, values_from_post
from playground.http import AuthenticatedHttpRequest
from playground.presets import permissions, selectors, services
from playground.presets.diff import version_diff
from playground.presets.models import TRASH_RETENTION, Preset, Visibility
from playground.presets.page import save_controls_context
from playground.row_ids import row_number
from playground.spec import RequestInvalid

MAX_RENAMES_TOLD = 10  # an import of hundreds would otherwise flash a page of names
PRESET_GONE = gettext_noop(
    "this preset is no longer available to you (moved to the trash, or no longer shared "
    "with you); your edits are still in the form: save them as a new preset"
)


def preset_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn PresetNotFound into 404 (or the sign-in page for a signed-out visitor).

    A signed-out visitor refused an action on a preset they may read (through its link)
    is sent to sign in too: signing in is what would let them do it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            if not request.user.is_authenticated:
                return _sign_in_first(request, kwargs.get("preset_id"))
            raise
        except services.PresetNotFound:
            if not request.user.is_authenticated:
                return _sign_in_first(request, kwargs.get("preset_id"))
            raise Http404(_("No preset you may see has this id.")) from None

    return wrapper


def save_panel_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the playground page's save panel: signed out, say so in the panel.

    Signed out in another tab, a redirect to the sign-in page would be followed by htmx
    and swapped into the panel, and that form would leave the page with the edits.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not request.headers.get("HX-Request"):
            return redirect_to_login(reverse("playground"))
        return _save_controls(request, None, None, {"signed_out": True})

    return wrapper


def _sign_in_first(request: HttpRequest, preset_id: Any) -> HttpResponse:
    # After signing in, come back here; an action (POST) comes back to the preset's page.
    if request.method == "GET" or preset_id is None:
        return redirect_to_login(request.get_full_path())
    url = reverse("preset-detail", args=[preset_id])
    link = _link(request)
    return redirect_to_login(f"{url}?{urlencode({'link': link})}" if link else url)


def _link(request: HttpRequest) -> str | None:
    return request.POST.get("link") or request.GET.get("link") or None


def _detail_url(preset: Preset, link: str | None = None) -> str:
    url = reverse("preset-detail", args=[preset.pk])
    return f"{url}?{urlencode({'link': link})}" if link else url


# --- List, detail, diff ---------------------------------------------------------------------


@require_GET
@login_required
def preset_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    scope = request.GET.get("scope", "all")
    scope = scope if scope in selectors.SCOPES else "all"
    presets = selectors.preset_list(
        user=request.user, query=query, scope=scope, team_id=request.GET.get("team")
    )
    context = {
        "presets": presets,
        "query": query,
        "scope": scope,
        "words_cut": len(set(query.split())) > selectors.MAX_SEARCH_WORDS,
        "max_words": selectors.MAX_SEARCH_WORDS,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "preset-results":
        return render(request, "presets/_list_results.html", context)
    return render(request, "presets/list.html", context)


@require_GET
@preset_view
def preset_detail(request: HttpRequest, preset_id: Any) -> HttpResponse:
    link = _link(request)
    preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
    # So that "Shared with me" finds it again (only when the link is what lets them in).
    services.preset_link_visit_record(user=request.user, preset=preset, link_token=link)
    return _detail_page(request, preset, link)


def _detail_page(
    request: HttpRequest, preset: Preset, link: str | None, *, status: int = 200
) -> HttpResponse:
    """The preset's page: its history a page at a time (``?page=``, ``?moves_page=``)."""
    user = request.user
    # get_page: a page number that is not one (text, 0, past the end) shows the first or
    # the last page rather than failing.
    versions = Paginator(
        preset.versions.select_related("author").order_by("-number"),
        settings.PLAYGROUND_HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    moves = Paginator(
        preset.moves.select_related("actor").order_by("-created_at", "-pk"),
        settings.PLAYGROUND_HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("moves_page"))
    latest = preset.versions.select_related("author").order_by("-number").first()
    context = {
        "versions_pages": _page_links(request, versions, "page"),
        "moves_pages": _page_links(request, moves, "moves_page"),
        "preset": preset,
        "versions": versions,
        "latest_version": latest,
        "link": link,
        "can": {
            name: getattr(permissions, f"can_{name}")(user, preset, link)
            for name in (
                "open",
                "run",
                "save_version",
                "rename",
                "share",
                "move",
                "fork",
                "delete",
                "export",
            )
        },
        # A fork made through a read-only link: its origin may not be open to this user.
        "origin_visible": preset.forked_from is not None
        and permissions.can_view(user, preset.forked_from),
        "move_targets": selectors.move_targets(user=user, preset=preset),
        # The run panel's reply area starts with one empty candidate, as the playground's.
        "run_candidates": range(1),
        "moves": moves,
        "visibility_choices": Visibility.choices,
        "trash_days": TRASH_RETENTION.days,
        "diff_old": max(latest.number - 1, 1) if latest else 1,
        "diff_new": latest.number if latest else 1,
        "share_url": request.build_absolute_uri(
            _detail_url(preset, preset.link_token) if preset.link_token else ""
        ),
    }
    return render(request, "presets/detail.html", context, status=status)


def _page_links(request: HttpRequest, page: Page, param: str) -> dict[str, str]:
    """The first, previous, next and last pages' addresses, keeping the other parameters
    (the link token, the other list's page)."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    links: dict[str, str] = {}
    if page.has_previous():
        links.update(first=url(1), previous=url(page.previous_page_number()))
    if page.has_next():
        links.update(next=url(page.next_page_number()), last=url(page.paginator.num_pages))
    return links


@require_GET
@preset_view
def preset_diff(request: HttpRequest, preset_id: Any) -> HttpResponse:
    link = _link(request)
    preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
    old = selectors.preset_version_get(preset=preset, number=request.GET.get("old"))
    new = selectors.preset_version_get(preset=preset, number=request.GET.get("new"))
    lines = version_diff(old.request, new.request)
    return render(request, "presets/_diff.html", {"old": old, "new": new, "lines": lines})


@require_GET
@preset_view
def preset_open(request: HttpRequest, preset_id: Any) -> HttpResponse:
    """Open a version in the playground editor."""
    link = _link(request)
    preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
    if not permissions.can_open(request.user, preset, link):
        raise services.PresetNotFound()
    version = selectors.preset_version_get(preset=preset, number=request.GET.get("version"))
    params = {"preset": str(preset.pk), "version": str(version.number)}
    if link:
        params["link"] = link
    return redirect(f"{reverse('playground')}?{urlencode(params)}")


# --- Actions on one preset -------------------------------------------------------------------


def _action(
    request: HttpRequest,
    preset_id: Any,
    perform: Callable[[User, Preset, str | None], Any],
    done: str | Callable[[Any], str],
) -> HttpResponse:
    """Run one action as the signed-in user; input errors come back as a message on the page.

    ``done`` is the success message, or a function of the action's result that says it.
    """
    if not request.user.is_authenticated:
        # No permission lets a signed-out visitor change a preset: signing in might.
        return _sign_in_first(request, preset_id)
    actor = request.user
    link = _link(request)
    preset = selectors.preset_get_any(user=actor, preset_id=preset_id, link_token=link)
    try:
        result = perform(actor, preset, link)
    except services.PresetInputInvalid as invalid:
        for field, message in invalid.errors.items():
            messages.error(request, f"{field}: {message}")
        return redirect(_detail_url(preset, link))
    except services.PresetChanged as changed:
        # 409, and the page as it is now (what a reload would show), with what was not saved.
        messages.error(request, str(changed))
        try:
            current = selectors.preset_get(user=actor, preset_id=preset_id, link_token=link)
        except services.PresetNotFound:
            return redirect("preset-list")  # no longer shared with them
        return _detail_page(request, current, link, status=409)
    messages.success(request, done if isinstance(done, str) else done(result))
    if isinstance(result, HttpResponse):
        return result
    if not permissions.can_view(request.user, preset, link):
        # e.g. a team owner who just made someone's preset private: it is gone from view.
        return redirect("preset-list")
    return redirect(_detail_url(preset, link))


@require_POST
@preset_view
def preset_rename(request: HttpRequest, preset_id: Any) -> HttpResponse:
    return _action(
        request,
        preset_id,
        lambda actor, preset, link: services.preset_rename(
            actor=actor,
            preset=preset,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
            tags=request.POST.get("tags", ""),
            revision=request.POST.get("revision"),
        ),
        _("Saved the name, description and tags."),
    )


@require_POST
@preset_view
def preset_share(request: HttpRequest, preset_id: Any) -> HttpResponse:
    """Sharing, and the team: a different team moves the preset (recorded in its history)."""
    moved_from: list[Any] = []

    def share(actor: User, preset: Preset, link: str | None) -> Preset:
        moved_from.append(preset.team_id)
        return services.preset_share(
            actor=actor,
            preset=preset,
            # No team input (an older form, a script): the team stays as it is.
            team_id=request.POST.get("team", services.UNCHANGED),
            visibility=request.POST.get("visibility", ""),
            link_allows_anonymous=request.POST.get("link_allows_anonymous") == "on",
            new_link=request.POST.get("new_link") == "on",
            revision=request.POST.get("revision"),
        )

    def done(preset: Preset) -> str:
        if preset.team_id == moved_from[0]:
            return _("Saved the sharing settings.")
        if preset.team:
            return _("Moved to team %(team)s and saved the sharing settings.") % {
                "team": preset.team.name
            }
        return _("Moved to no team and saved the sharing settings.")

    return _action(request, preset_id, share, done)


@require_POST
@preset_view
def preset_fork(request: HttpRequest, preset_id: Any) -> HttpResponse:
    def fork(actor: User, preset: Preset, link: str | None) -> HttpResponse:
        version = request.POST.get("version", "")
        number = row_number(version) if version else None
        if version and number is None:
            raise services.PresetInputInvalid({"version": _("must be a version number")})
        fork = services.preset_fork(actor=actor, preset=preset, link_token=link, version=number)
        return redirect(_detail_url(fork))

    return _action(request, preset_id, fork, _("Forked into your presets."))


@require_POST
@preset_view
def preset_delete(request: HttpRequest, preset_id: Any) -> HttpResponse:
    def delete(actor: User, preset: Preset, link: str | None) -> HttpResponse:
        services.preset_delete(actor=actor, preset=preset)
        return redirect("preset-trash")

    days = TRASH_RETENTION.days
    done = ngettext(
        "Moved to the trash; it can be restored for %(days)s day.",
        "Moved to the trash; it can be restored for %(days)s days.",
        days,
    ) % {"days": days}
    return _action(request, preset_id, delete, done)


@require_POST
@preset_view
def preset_restore(request: HttpRequest, preset_id: Any) -> HttpResponse:
    return _action(
        request,
        preset_id,
        lambda actor, preset, link: services.preset_restore(actor=actor, preset=preset),
        _("Restored from the trash."),
    )


@require_POST
@preset_view
def preset_restore_version(request: HttpRequest, preset_id: Any, number: int) -> HttpResponse:
    return _action(
        request,
        preset_id,
        lambda actor, preset, link: services.preset_restore_version(
            actor=actor, preset=preset, number=number
        ),
        _("Version %(number)s restored as the newest version.") % {"number": number},
    )


@require_GET
@preset_view
def preset_export(request: HttpRequest, preset_id: Any) -> HttpResponse:
    link = _link(request)
    preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
    document = services.presets_export(actor=request.user, presets=[preset], link_token=link)
    return _json_download(document, f"{slugify(preset.name) or 'preset'}.json")


# --- Many presets: export, import, trash ----------------------------------------------------


@require_GET
@login_required
def presets_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Export the presets the list shows (same search and filters)."""
    presets = list(
        selectors.preset_list(
            user=request.user,
            query=request.GET.get("q", ""),
            scope=request.GET.get("scope", "all"),
            team_id=request.GET.get("team"),
        )
    )
    document = services.presets_export(actor=request.user, presets=presets)
    return _json_download(document, "presets.json")


@login_required
def presets_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "limits": {
            "presets": settings.PLAYGROUND_IMPORT_MAX_PRESETS,
            "versions": settings.PLAYGROUND_IMPORT_MAX_VERSIONS,
            "bytes": settings.PLAYGROUND_IMPORT_MAX_BYTES,
        }
    }
    if request.method == "POST":
        uploads = request.FILES.getlist("file")
        try:
            # Before any file is read (settings.PLAYGROUND_IMPORT_MAX_BYTES, all files together).
            services.import_size_check(sizes=[(u.name or "", u.size or 0) for u in uploads])
            files = [(upload.name or "", _import_text(upload)) for upload in uploads]
            if not files:
                raise services.ImportInvalid(_("choose a JSON file to import"), where=_("file"))
            imported = services.presets_import_files(owner=request.user, files=files)
        except services.ImportInvalid as invalid:
            context["error"] = {"where": invalid.where, "reason": invalid.reason}
        else:
            messages.success(request, _imported(len(imported.presets), len(files)))
            if imported.renamed:
                shown = imported.renamed[:MAX_RENAMES_TOLD]
                changes = ", ".join(f"“{was}” → “{now}”" for was, now in shown)
                if len(imported.renamed) > len(shown):
                    changes += " " + _("and %(count)s more") % {
                        "count": len(imported.renamed) - len(shown)
                    }
                messages.info(
                    request,
                    _("Renamed so that your presets keep distinct names: %(changes)s.")
                    % {"changes": changes},
                )
            return redirect("preset-list")
        return render(request, "presets/import.html", context, status=400)
    return render(request, "presets/import.html", context)


def _imported(presets: int, files: int) -> str:
    """What an import did, in one sentence."""
    if files > 1:
        return _("Imported %(presets)s preset(s) from %(files)s files.") % {
            "presets": presets,
            "files": files,
        }
    return _("Imported %(presets)s preset(s).") % {"presets": presets}


def _import_text(upload: Any) -> str:
    """An uploaded file's text; ImportInvalid names the file when it cannot be read."""
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise services.ImportInvalid(_("not UTF-8 text"), where=upload.name) from None


@require_GET
@login_required
def preset_trash(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "presets/trash.html",
        {"presets": selectors.trash_list(user=request.user), "days": TRASH_RETENTION.days},
    )


# --- Saving from the playground page (htmx; answers with the save-controls partial) --------


@require_POST
@save_panel_view
def preset_create_from_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    values = values_from_post(request.POST)
    context: dict[str, Any] = {}
    try:
        preset = services.preset_create(
            owner=request.user,
            name=values.get("preset_name", ""),
            description=values.get("preset_description", ""),
            tags=values.get("preset_tags", ""),
            team_id=values.get("preset_team") or None,
            visibility=values.get("preset_visibility", Visibility.PRIVATE),
            link_allows_anonymous=values.get("preset_link_allows_anonymous") == "on",
            request=request_from_form(values),
        )
    except (RequestInvalid, services.PresetInputInvalid) as invalid:
        context = {"errors": invalid.errors, "values": values}
        return _save_controls(request, None, None, context)
    context["saved"] = _("Saved as “%(name)s”, version 1.") % {"name": preset.name}
    if preset.link_token:
        # The link is what this visibility is for: shown at once, not a page away.
        context["share_url"] = request.build_absolute_uri(_detail_url(preset, preset.link_token))
    return _save_controls(request, preset, 1, context)


@require_POST
@save_panel_view
@preset_view
def preset_save_from_page(request: AuthenticatedHttpRequest, preset_id: Any) -> HttpResponse:
    values = values_from_post(request.POST)
    link = _link(request)
    try:
        preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
    except services.PresetNotFound:
        return _gone(request, values)
    base = values.get("base_version", "")
    # "Save as new version anyway" sends no base: it goes on top of the latest.
    base_version = row_number(base) if base else None
    if base and base_version is None:
        errors = {"base_version": _("must be the number of the version you edited")}
        return _save_controls(request, preset, None, {"errors": errors, "values": values})
    try:
        version = services.preset_save(
            preset_id=preset.pk,
            author=request.user,
            request=request_from_form(values),
            base_version=base_version,
            message=values.get("version_message", ""),
        )
    except services.StaleVersion as stale:
        context = {"stale": stale, "values": values}
        return _save_controls(request, preset, base_version, context)
    except PermissionDenied:
        if not request.headers.get("HX-Request"):
            raise
        # The role changed since the page was loaded: say so in the panel (htmx swaps no 403).
        context = {"errors": {"preset": _("your role does not allow saving versions; fork it")}}
        return _save_controls(request, preset, base_version, context)
    except (RequestInvalid, services.PresetInputInvalid) as invalid:
        context = {"errors": invalid.errors, "values": values}
        return _save_controls(request, preset, base_version, context)
    context = {
        "saved": _("Saved version %(number)s of “%(name)s”.")
        % {"number": version.number, "name": preset.name}
    }
    return _save_controls(request, preset, version.number, context)


@require_POST
@save_panel_view
@preset_view
def preset_fork_from_page(request: AuthenticatedHttpRequest, preset_id: Any) -> HttpResponse:
    """The stale-save "fork" option: the unsaved edits become a new preset of one's own."""
    values = values_from_post(request.POST)
    link = _link(request)
    try:
        preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
    except services.PresetNotFound:
        return _gone(request, values)
    try:
        fork = services.preset_fork(
            actor=request.user, preset=preset, link_token=link, request=request_from_form(values)
        )
    except RequestInvalid as invalid:
        return _save_controls(request, preset, None, {"errors": invalid.errors})
    context = {"saved": _("Forked as “%(name)s”, version 1.") % {"name": fork.name}}
    return _save_controls(request, fork, 1, context)


def _gone(request: HttpRequest, values: dict[str, Any]) -> HttpResponse:
    """The open preset was deleted or unshared since the page loaded (or never existed).

    htmx swaps no 404, so a plain refusal would leave the panel saying "Saved version N"
    as if the click did nothing; the panel says it instead, with "Save as a new preset"
    open so the edits still in the form can be kept. Same words for an id that never
    existed, so nothing is learnt by probing.
    """
    if not request.headers.get("HX-Request"):
        raise services.PresetNotFound()
    context = {"errors": {"preset": _(PRESET_GONE)}, "values": values}
    return _save_controls(request, None, None, context)


def _save_controls(
    request: HttpRequest,
    preset: Preset | None,
    version: int | None,
    extra: dict[str, Any],
) -> HttpResponse:
    # Always 200: htmx does not swap 4xx answers, and refusals are part of this partial.
    context = save_controls_context(request.user, preset, version)
    context.update(extra)
    response = render(request, "presets/_save_panel.html", context)
    if preset is not None and version is not None and "saved" in extra:
        # The address bar follows the open preset, so a reload reopens what was saved.
        response["HX-Push-Url"] = (
            f"{reverse('playground')}?{urlencode({'preset': str(preset.pk), 'version': str(version)})}"
        )
    return response


def _json_download(document: dict, filename: str) -> HttpResponse:
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
