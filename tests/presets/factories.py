"""Small make_* factories for preset tests."""

from django.contrib.auth.models import User

from playground.presets.models import Preset
from playground.presets.services import preset_create
from playground.teams.models import Membership, Team


def make_request(content: str = "hi", model: str = "offline-1", **params) -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": content}], **params}
    return {"mode": "chat", "provider": "offline", "body": body}


def make_user(name: str) -> User:
    # No password: hashing one costs ~0.3 s per user; tests sign in with force_login.
    return User.objects.create_user(name)


def make_team(name: str, **members: str) -> Team:
    """make_team("Core", alice="owner", bob="viewer") with users looked up by name."""
    team = Team.objects.create(name=name)
    for username, role in members.items():
        Membership.objects.create(team=team, user=User.objects.get(username=username), role=role)
    return team


def make_preset(owner: User, name: str = "Greeter", **options) -> Preset:
    request = options.pop("request", make_request())
    return preset_create(owner=owner, name=name, request=request, **options)
