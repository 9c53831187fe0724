"""Thin views over export(): the snippet as text, and the page's export panel."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from playground.export import RENDERERS, export
from playground.export.highlight import highlighted
from playground.forms import request_from_form, values_from_post
from playground.spec import RequestInvalid

LANGS = {"python": "Python", "node": "Node.js", "curl": "curl", "json": "JSON"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


@require_POST
def export_snippet(request: HttpRequest, lang: str) -> HttpResponse:
    """``POST /export/<lang>``: a request JSON body → the snippet as plain text.

    The page's export panel posts its form to the same URL (form-encoded) and gets the
    tab back as highlighted HTML; both go through export()."""
    if not request.user.is_authenticated:
        return _text(_("Sign in first: exporting needs a signed-in user.") + "\n", status=401)
    if lang not in RENDERERS:
        unknown = _("Unknown language %(lang)s (allowed: %(allowed)s).") % {
            "lang": repr(lang),
            "allowed": ", ".join(RENDERERS),
        }
        return _text(unknown + "\n", 404)
    if request.content_type in FORM_TYPES:
        return _panel(request, lang)
    try:
        data = json.loads(request.body or b"")
    except ValueError as exc:
        # Translators: "request" names the field; the parser's reason (English) follows.
        reason = _("the body is not valid JSON (%(reason)s).") % {"reason": exc}
        return _text(f"request: {reason}\n", status=400)
    except RecursionError:
        reason = _("the body is nested too deeply to read.")
        return _text(f"request: {reason}\n", status=400)
    try:
        return _text(export(lang, data, request.user))
    except RequestInvalid as invalid:
        lines = [f"{field}: {message}" for field, message in invalid.errors.items()]
        return _text("\n".join(lines) + "\n", status=400)


def _panel(request: HttpRequest, lang: str) -> HttpResponse:
    """The export panel's tab ``lang`` for the page's current form values."""
    context = {"langs": LANGS, "lang": lang, "code": "", "errors": {}}
    try:
        code = export(lang, request_from_form(values_from_post(request.POST)), request.user)
        context |= {"code": code, "highlighted": highlighted(lang, code)}
    except RequestInvalid as invalid:
        context["errors"] = invalid.errors
    return render(request, "export/_panel_body.html", context)


def _text(content: str, status: int = 200) -> HttpResponse:
    return HttpResponse(content, status=status, content_type="text/plain; charset=utf-8")
