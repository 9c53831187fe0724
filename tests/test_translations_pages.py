"""The export, compare, presets, providers, history and run pages, and the terminal, speak
Simplified Chinese to a Chinese reader: no English word is left in what they show.

Each page is rendered as a Chinese browser asks for it (Accept-Language: zh-Hans), signed in,
with the objects that make its parts appear (versions, moves, a fork, a run with usage, a form
with its errors). What may stay in Latin letters: names of products, models, parameters and
modes, code, and the data the test itself created.
"""

import html
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from playground.presets.services import preset_delete, preset_fork, preset_save, preset_share
from playground.providerconfig.models import ProviderConfig
from playground.shell_language import shell_language
from tests.presets.factories import make_preset, make_request, make_team, make_user
from tests.runs.factories import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese request leaves Chinese active in this thread (LocaleMiddleware does not put
    the language back): the tests that run next expect English."""
    yield
    translation.activate("en")


# The playground's run form, as the save panel and the export panel post it.
PAGE_FORM = {
    "provider": "offline",
    "model": "offline-1",
    "messages-0-role": "user",
    "messages-0-content": "Hello there",
}

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}

# Words that are names, not sentences: the product, the stack, wire names and formats.
ALLOWED = {
    "prompt",
    "playground",
    "json",
    "python",
    "node",
    "js",
    "curl",
    "api",
    "url",
    "http",
    "https",
    "utc",
    "ms",
    "token",
    "tokens",
    "id",
    "uuid",
    "sse",
    "openai",
    "ascii",
    "utf",
    "mib",
    "kib",
    "kb",
    "mb",
    "bytes",
    "v1",
    "html",
    "csv",
    "english",
    "django",
    "admin",
    "chat",
    "completion",
    "completions",
    "embedding",
    "embeddings",
    "moderation",
    "moderations",
    "finish_reason",
    "temperature",
    "max_tokens",
    "model",
    "messages",
    "content",
    "role",
    "user",
    "system",
    "assistant",
    "stream",
    "base_url",
    "api_key_env",
    "openai_api_key",
    "openai_base_url",
    "input",
    "playground_import_max_bytes",
    "playground_import_max_presets",
    "playground_import_max_versions",
    "esc",
    "ctrl",
    "cmd",
    "enter",
    "markdown",
    "usd",
    "offline",
    "est",
    "gpt",
    "mini",
    "o200k_base",
    "cl100k_base",
}
# Text whose element says it is code or data, not interface.
SKIPPED_TAGS = {"script", "style", "code", "pre", "textarea", "time", "option"}
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
WORD = re.compile(r"[A-Za-z][A-Za-z_'’-]+")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value)
            # The button that switches the language shows the other language's name.
            if name == "lang" and value == "en":
                self.skipping.append(tag)
                return
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.texts.append(data)


def english_left(page: str, data: tuple[str, ...] = ()) -> list[str]:
    """The English words in what a reader sees of ``page`` (text, titles, labels,
    placeholders), leaving out code, the allowed names and the strings in ``data``."""
    parser = _VisibleText()
    parser.feed(page)
    text = "\n".join(parser.texts)
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    # Ids, versions and numbers (a preset's short id "3fa8c2e1…") are data, not English.
    text = " ".join(token for token in text.split() if not re.search(r"\d", token))
    return [w for w in WORD.findall(text) if w.lower().strip("'’-") not in ALLOWED]


def assert_chinese(response, *data: str) -> None:
    page = response.content.decode()
    assert response.get("Content-Language") == "zh-hans"
    left = english_left(page, data)
    assert not left, f"English left on {response.request['PATH_INFO']}: {sorted(set(left))}"


def test_english_left_finds_english_and_lets_code_and_names_be():
    assert english_left("<p>保存 <code>max_tokens</code> gpt-4o</p><p title='Save it'>x</p>") == [
        "Save",
        "it",
    ]


@pytest.fixture
def world(client):
    """alice owns a team preset with three versions, a move, a fork and one in the trash."""
    alice = make_user("alice")
    make_user("bob")
    lab = make_team("Lab", alice="owner", bob="editor")
    preset = make_preset(alice, "Greeter", description="Says hello", tags="greet, demo")
    preset_save(preset_id=preset.pk, author=alice, request=make_request("v2"), base_version=1)
    preset_save(preset_id=preset.pk, author=alice, request=make_request("v3"), base_version=2)
    preset_share(actor=alice, preset=preset, team_id=lab.pk, visibility="link")
    preset_fork(actor=alice, preset=preset, name="Greeter copy")
    preset_delete(actor=alice, preset=make_preset(alice, "Old one"))
    client.force_login(alice)
    return {"alice": alice, "preset": preset, "lab": lab}


DATA = ("alice", "bob", "Lab", "Greeter copy", "Greeter", "Says hello", "greet", "demo",
        "Old one", "offline-1", "offline", "v2", "v3")  # fmt: skip


def test_the_presets_pages_are_chinese(client, world):
    preset = world["preset"]
    for url in (
        "/presets/",
        "/presets/?q=nothing-matches",
        "/presets/trash/",
        "/presets/import/",
        f"/presets/{preset.pk}/",
        f"/presets/{preset.pk}/diff/?old=1&new=3",
    ):
        response = client.get(url, **ZH)
        assert response.status_code == 200, url
        assert_chinese(response, *DATA, "nothing-matches")


def test_a_refused_import_and_the_save_panels_errors_are_chinese(client, world):
    upload = SimpleUploadedFile("bad.json", b'{"presets": [{"name": ""}]}')
    response = client.post("/presets/import/", {"file": upload}, **ZH)
    assert response.status_code == 400
    assert "未导入任何内容" in response.content.decode()
    assert_chinese(response, *DATA, "bad.json", "presets[0].name")
    response = client.post("/presets/new/", {**PAGE_FORM, "preset_name": ""}, **ZH)
    assert "未保存任何内容" in response.content.decode()
    assert_chinese(response, *DATA, "name", "Hello there")


def test_a_preset_action_is_confirmed_in_chinese(client, world):
    preset = world["preset"]
    response = client.post(
        f"/presets/{preset.pk}/rename/",
        {"name": "Greeter", "description": "", "tags": "", "revision": "0"},
        follow=True,
        **ZH,
    )
    assert "此预设在此期间已被修改" in response.content.decode()
    assert_chinese(response, *DATA)


def test_the_403_page_is_chinese(client, world):
    client.force_login(User.objects.get(username="bob"))  # an editor may not delete it
    response = client.post(f"/presets/{world['preset'].pk}/delete/", **ZH)
    assert response.status_code == 403
    assert_chinese(response, *DATA)


def test_the_history_and_a_runs_page_are_chinese(client, world):
    # A known cost: "unknown" is the usage pages' own word (translated with them).
    run = make_run(user=world["alice"], reply="Hello there", note="mine", starred=True)
    failed = make_run(user=world["alice"], status="failed", error="upstream broke", request=None)
    for url in ("/history/", "/history/?status=bogus&since=x", f"/history/{run.pk}/",
                f"/history/{failed.pk}/"):  # fmt: skip
        response = client.get(url, **ZH)
        assert response.status_code == 200, url
        assert_chinese(
            response,
            *DATA,
            "Hello there",
            "Hello",
            "mine",
            "upstream broke",
            "bogus",
            "stop",
            "finished",
            "stopped",
            "failed",
            "refused",
            "gpt-4o",
            "openai",
        )


def test_the_compare_page_and_the_export_panel_are_chinese(client, world):
    response = client.get("/compare/", **ZH)
    assert_chinese(response, *DATA)
    response = client.post("/compare/save/", {"name": "Cmp"}, **ZH)
    assert "对比需要 2 到 4 列" in response.content.decode()
    assert_chinese(response, *DATA, "columns", "conversation", "Cmp")
    response = client.post("/export/python", {**PAGE_FORM, "provider": "nobody"}, **ZH)
    assert "没有名为 'nobody' 且你可以使用的服务商" in html.unescape(response.content.decode())
    assert_chinese(response, *DATA, "provider", "nobody", "Hello there")


# The form's examples are code: a header line, a provider name, a moderation model.
PROVIDER_FORM_CODE = ("root", "openrouter", "router.example", "router", "Router", "Fake upstream",
                      "'Name: value'", "HTTP-Referer: https://example.com", "POST /moderations",
                      "omni-moderation-latest", "LiteLLM")  # fmt: skip


def test_the_providers_pages_are_chinese(client, world):
    admin = User.objects.create_superuser("root")
    client.force_login(admin)
    config = ProviderConfig(name="router", base_url="https://router.example/v1", label="Router")
    config.set_api_key("sk-test-12345678")
    config.save()
    for url in ("/providers/", "/providers/add/", f"/providers/{config.pk}/"):
        response = client.get(url, **ZH)
        assert response.status_code == 200, url
        assert_chinese(response, *DATA, *PROVIDER_FORM_CODE)
    response = client.post("/providers/add/", {"name": "Bad Name", "base_url": "x"}, **ZH)
    assert "请使用小写字母" in response.content.decode()
    assert_chinese(response, *DATA, *PROVIDER_FORM_CODE, "Bad Name")


def _manage(*args: str, **locale: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env=env | locale,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )


def test_the_terminal_speaks_the_shells_language(tmp_path):
    request = tmp_path / "bad.json"
    request.write_text('{"mode": "chat", "provider": "offline", "body": {}}')
    run = ("run_request", "--no-record", str(request))
    chinese = _manage(*run, LANG="zh_CN.UTF-8")
    english = _manage(*run)
    overridden = _manage(*run, LC_ALL="C.UTF-8", LANG="zh_CN.UTF-8")  # LC_ALL comes first
    assert chinese.returncode == english.returncode == overridden.returncode == 2
    assert "请求未发送" in chinese.stderr, chinese.stderr
    assert "The request was not sent" in english.stderr, english.stderr
    assert "The request was not sent" in overridden.stderr, overridden.stderr
    help_text = _manage("runs", "--help", LANG="zh_CN.UTF-8").stdout
    assert "列出运行记录" in help_text and "每行一个 JSON 对象" in help_text


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("zh_CN.UTF-8", "zh-hans"),
        ("zh_SG", "zh-hans"),
        ("zh_CN.GB18030@latin", "zh-hans"),
        ("en_GB.UTF-8", "en"),
        ("fr_FR.UTF-8", "en"),  # not in the catalogue
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        ("", "en"),
    ],
)
def test_the_shell_language_is_read_from_its_locale(locale, language):
    assert shell_language(locale) == language


def test_human_lines_follow_the_shell_and_json_lines_stay_as_they_are(settings, world):
    make_run(user=world["alice"], cost=None)
    settings.SHELL_LOCALE = "zh_CN.UTF-8"
    human, lines = io.StringIO(), io.StringIO()
    translation.activate("en")
    call_command("runs", stdout=human)
    call_command("runs", "--json", stdout=lines)
    assert " token  未知" in human.getvalue()
    assert json.loads(lines.getvalue())["status"] == "finished"
    # The command's language does not outlive it.
    assert translation.get_language() == "en"
