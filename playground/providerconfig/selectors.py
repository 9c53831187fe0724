"""Which stored providers a user may use."""

from typing import Any

from django.db.models import Q, QuerySet

from playground.providerconfig.models import ProviderConfig
from playground.teams.models import Membership


def provider_configs_for(user: Any | None) -> QuerySet[ProviderConfig]:
    """Enabled providers ``user`` may use: those open to everyone and those of their teams.

    ``user=None`` is the server itself (exports, management commands): no team filter.
    """
    configs = ProviderConfig.objects.filter(enabled=True)
    if user is None or getattr(user, "is_superuser", False):
        return configs
    if getattr(user, "pk", None) is None or not user.is_authenticated:
        return configs.filter(teams__isnull=True)
    their_teams = Membership.objects.filter(user=user).values("team_id")
    return configs.filter(Q(teams__isnull=True) | Q(teams__in=their_teams)).distinct()


def provider_config_for(name: str, user: Any | None) -> ProviderConfig | None:
    return provider_configs_for(user).filter(name=name).first()
