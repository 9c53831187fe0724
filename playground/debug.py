"""What Django's error page (DEBUG on) and error e-mails may show of a crash.

Django's SafeExceptionReporterFilter stands down when DEBUG is on, and only hides the
variables a view marked. A key then shows in an httpx request, in a provider's settings
dict, or in a posted form. This filter stays on and hides them by name and by content.
"""

import re
from collections.abc import ItemsView
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from playground.secrets_scrub import scrub_known_secrets

# Libraries whose frames hold the outgoing request, headers included: no locals at all.
_HTTP_LIBRARIES = frozenset({"httpx", "httpcore", "h11", "httpx_sse", "anyio"})
_BEARER = re.compile(r"bearer\s", re.I)


class SecretsHiddenFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|HEADER|BEARER", flags=re.I
    )

    def is_active(self, request: Any) -> bool:
        return True  # also under DEBUG: a developer's page can be seen over a shoulder

    def get_post_parameters(self, request: Any) -> Any:
        parameters = super().get_post_parameters(request)
        if not parameters:
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        module = str(tb_frame.f_globals.get("__name__", ""))
        if module.split(".")[0] in _HTTP_LIBRARIES:
            return {name: self.cleansed_substitute for name in tb_frame.f_locals}.items()
        return {
            name: self._cleansed(name, value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        }.items()

    def _cleansed(self, name: str, value: Any) -> Any:
        value = self.cleanse_setting(name, value)  # by name, and dict keys within
        try:
            shown = repr(value)
        except Exception:  # a broken __repr__: the page would not show it either
            return value
        if _BEARER.search(shown) or scrub_known_secrets(shown) != shown:
            return self.cleansed_substitute  # a provider's secret, in any form it may take
        return value
