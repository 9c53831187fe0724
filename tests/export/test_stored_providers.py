"""Exports of providers stored in the database: their URL, their own key variable, no secret."""

import pytest
from django.contrib.auth.models import User

from playground.export import export
from playground.export.shared import key_variable_for
from playground.spec import RequestInvalid
from playground.teams.models import Team
from tests.providerconfig.factories import (
    DB_API_KEY,
    DB_HEADER_SECRET,
    make_member,
    make_provider_config,
)

pytestmark = pytest.mark.django_db

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "Hi"}]}


def _request(provider: str) -> dict:
    return {"mode": "chat", "provider": provider, "body": BODY}


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("openrouter", "OPENROUTER_API_KEY"),
        ("api-yi", "API_YI_API_KEY"),
        ("Local vLLM", "LOCAL_VLLM_API_KEY"),
        ("302ai", "P_302AI_API_KEY"),
    ],
)
def test_each_stored_provider_reads_its_key_from_a_variable_named_after_it(name, variable):
    assert key_variable_for(name) == variable


def test_a_snippet_names_the_extra_headers_but_never_their_values():
    make_provider_config(
        "https://openrouter.ai/api/v1",
        name="openrouter",
        extra_headers={"HTTP-Referer": DB_HEADER_SECRET, "X-Title": "Playground"},
    )

    for lang in ("python", "node", "curl"):
        snippet = export(lang, _request("openrouter"))
        assert "OPENROUTER_API_KEY" in snippet
        assert "https://openrouter.ai/api/v1" in snippet
        assert "HTTP-Referer" in snippet and "X-Title" in snippet
        assert DB_HEADER_SECRET not in snippet and DB_API_KEY not in snippet


def test_a_snippet_does_not_name_a_stored_header_the_playground_does_not_send():
    config = make_provider_config("https://openrouter.ai/api/v1", name="openrouter")
    config.set_extra_headers({"Host": "internal.example", "X-Title": "Playground"})
    config.save()  # stored before such headers were refused
    for lang in ("python", "node", "curl"):
        snippet = export(lang, _request("openrouter"))
        assert "X-Title" in snippet
        assert "Host" not in snippet and "internal.example" not in snippet


def test_a_provider_of_another_team_cannot_be_exported_by_an_outsider():
    team = Team.objects.create(name="Research")
    make_provider_config("https://internal.example/v1", name="internal", teams=[team])
    member = make_member("ana", team)
    outsider = User.objects.create_user("bob", password="pw-bob-12345")

    assert "https://internal.example/v1" in export("curl", _request("internal"), member)
    with pytest.raises(RequestInvalid) as refused:
        export("curl", _request("internal"), outsider)
    assert "no provider named 'internal' that you may use" in refused.value.errors["provider"]


def test_openai_exports_to_openai_even_when_this_server_has_no_key(settings):
    settings.PLAYGROUND_PROVIDERS = {"offline": settings.PLAYGROUND_PROVIDERS["offline"]}

    snippet = export("python", _request("openai"))

    assert "os.environ['OPENAI_API_KEY']" in snippet
    assert "base_url" not in snippet
