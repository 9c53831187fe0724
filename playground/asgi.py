"""ASGI entry point: HTTP through Django, websockets through Channels, both signed-in only."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
# Django must be set up before anything imports models (the auth middleware does).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from playground.compare.consumers import CompareConsumer  # noqa: E402
from playground.consumers import RunConsumer  # noqa: E402
from playground.evals.consumers import EvaluationConsumer  # noqa: E402
from playground.live.consumers import RunWatchConsumer  # noqa: E402
from playground.origin import SameOriginWebsockets  # noqa: E402
from playground.ws_auth import websocket_auth_stack  # noqa: E402
from playground.ws_language import WebsocketLanguage  # noqa: E402

# Channels routes with Django's path(), whose stubs expect a view, not an ASGI app.
websocket_urlpatterns = [
    path("ws/run/", RunConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/compare/", CompareConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/evaluation/<uuid:evaluation_id>/", EvaluationConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/watch/<uuid:run_id>/", RunWatchConsumer.as_asgi()),  # type: ignore[arg-type]
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Only this site's pages open the socket: scheme, host and port (playground/origin.py).
        "websocket": SameOriginWebsockets(
            # Frames are written in the page's language (playground/ws_language.py).
            websocket_auth_stack(WebsocketLanguage(URLRouter(websocket_urlpatterns)))  # type: ignore[arg-type]
        ),
    }
)
