"""make_* factories for stored providers and team members."""

from django.contrib.auth.models import User

from playground.providerconfig.models import ProviderConfig
from playground.providerconfig.services import provider_config_save
from playground.teams.models import Membership, Team

# A stored provider's key: it must reach the upstream and nothing else.
DB_API_KEY = "sk-db-SECRET-stored-key-7777"
# A secret a gateway takes in an extra header: as secret as the key.
DB_HEADER_SECRET = "gw-SECRET-header-value-3131"


def make_provider_config(
    base_url: str,
    *,
    name: str = "gateway",
    api_key: str = DB_API_KEY,
    extra_headers: dict[str, str] | None = None,
    teams: list[Team] | None = None,
    **fields,
) -> ProviderConfig:
    fields.setdefault("default_model", "fake-model")
    return provider_config_save(
        config=ProviderConfig(name=name, base_url=base_url, **fields),
        api_key=api_key,
        extra_headers=extra_headers,
        teams=teams,
    )


def make_member(username: str, team: Team, role: str = "editor") -> User:
    user = User.objects.create_user(username, password="pw-for-tests-only")
    Membership.objects.create(team=team, user=user, role=role)
    return user
