"""Is this process able to serve? ``/healthz/`` answers for load balancers and compose.

It asks what every page needs: the database, and Redis when ``REDIS_URL`` is set (the
sessions' cache, the channel layer and the shared run limits live there). The answer
names each part ``ok`` or ``unreachable`` and nothing more: it is served without sign-in,
so the reason (which can name hosts and users) goes to the log, not to the caller.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = "ok"
UNREACHABLE = "unreachable"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver's failure means the same here: no database
        logger.warning("Health check: the database did not answer", exc_info=True)
        return UNREACHABLE
    return OK


def _redis() -> str:
    try:
        # Django's cache is Redis when REDIS_URL is set; a round trip proves the connection.
        cache.set("playground:health", "1", timeout=10)
        if cache.get("playground:health") != "1":
            raise ConnectionError("the value written was not read back")
    except Exception:
        logger.warning("Health check: Redis did not answer", exc_info=True)
        return UNREACHABLE
    return OK


def health_report() -> dict[str, str]:
    """Each part this process depends on, ``ok`` or ``unreachable``."""
    report = {"database": _database()}
    if settings.REDIS_URL:
        report["redis"] = _redis()
    return report


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """200 when every part answers, 503 otherwise (a proxy then stops sending users here)."""
    report = health_report()
    healthy = all(state == OK for state in report.values())
    return JsonResponse(
        {"status": OK if healthy else UNREACHABLE, **report}, status=200 if healthy else 503
    )
