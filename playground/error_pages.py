"""The 404 page: what was not found, and the way back to the list it belongs to.

Django's own handler404 knows only the path; this one also knows the site's sections, so
``/presets/<unknown id>/`` says "Preset not found" and links back to the presets. The 400,
403 and 500 pages are Django's handlers with the site's templates (``templates/<code>.html``);
the 500 page gets no request and no context, as Django renders it.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponseNotFound
from django.template import loader
from django.urls import Resolver404, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token


@dataclass(frozen=True)
class Section:
    """A part of the site under one path, with a list a lost visitor can go back to."""

    prefix: str
    not_found: Promise | None  # the heading when a view here found nothing (None: "Not found")
    list_url_name: str
    back: Promise
    staff_only: bool = False  # the list refuses everyone else: no link to a refusal


SECTIONS = (
    Section("/presets/", _("Preset not found"), "preset-list", _("Back to presets")),
    Section("/history/", _("Run not found"), "history", _("Back to history")),
    Section("/datasets/", _("Dataset not found"), "dataset-list", _("Back to datasets")),
    Section(
        "/evaluations/", _("Evaluation not found"), "evaluation-list", _("Back to evaluations")
    ),
    Section("/teams/", _("Team not found"), "team-list", _("Back to teams")),
    Section("/usage/prices/", _("Price not found"), "prices", _("Back to prices")),
    Section("/usage/", None, "usage", _("Back to usage")),
    Section("/budgets/", None, "budget-list", _("Back to budgets")),
    Section(
        "/providers/",
        _("Provider not found"),
        "provider-list",
        _("Back to providers"),
        staff_only=True,
    ),
)


def section_of(request: HttpRequest) -> Section | None:
    """The section ``request``'s path is in, if any, and if its list is the visitor's to see."""
    for section in SECTIONS:
        if request.path.startswith(section.prefix):
            if section.staff_only and not getattr(request.user, "is_staff", False):
                return None
            return section
    return None


def _title(section: Section | None, found_a_view: bool) -> Promise:
    if not found_a_view:
        return _("Page not found")
    return (section.not_found if section else None) or _("Not found")


@requires_csrf_token  # as Django's: the page's header holds forms (language, sign out)
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseNotFound:
    """handler404: a view's Http404 names the missing thing; an unknown address has no view."""
    section = section_of(request)
    # Resolver404: no view matched the address. Otherwise a view looked and found nothing;
    # its message is written for users ("No preset you may see has this id.").
    found_a_view = not isinstance(exception, Resolver404)
    reason = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    context = {
        "title": _title(section, found_a_view),
        "found_a_view": found_a_view,
        "reason": reason if found_a_view else "",
        "back_url": reverse(section.list_url_name) if section else None,
        "back": section.back if section else None,
    }
    body = loader.render_to_string("404.html", context, request)
    return HttpResponseNotFound(body)
