"""The Content-Security-Policy header: django-csp's middleware, plus the run socket's URL.

The policy itself is in settings (``CONTENT_SECURITY_POLICY``). ``connect-src 'self'``
covers ws:/wss: to the page's own host in CSP Level 3 browsers only; older ones (Safari
before 15.4 among them) need the socket's URL spelled out, and that depends on the Host
and scheme each request came with, so it is added here, per response.
"""

from dataclasses import replace

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


class ContentPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:  # Django answers 400 anyway; 'self' is enough for that page
            return parts
        socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        update = dict(parts.update or {})
        connect = update.get("connect-src") or []
        update["connect-src"] = [*([connect] if isinstance(connect, str) else connect), socket]
        return replace(parts, update=update)
