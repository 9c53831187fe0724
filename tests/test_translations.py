"""Translations: the Simplified Chinese catalogue is complete and compiled, and the pages
read in Chinese when the browser asks for it (in English otherwise).

`english_left` finds the English a rendered page still shows; each area's pages are
listed in PAGES with what they need to have content (and, for forms, their errors).
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from playground.evals.dataset_files import DatasetInvalid, dataset_parse
from playground.evals.execute import evaluation_create
from playground.evals.models import CellStatus, Evaluation, EvaluationStatus
from playground.evals.plan import Config, EvalTest, Plan
from playground.evals.services import dataset_create
from playground.runs.models import Budget, Price
from tests.presets.factories import make_team
from tests.runs.factories import make_run

CATALOGUES = sorted(Path(settings.LOCALE_PATHS[0]).glob("zh_Hans/LC_MESSAGES/*.po"))

# --- The catalogue ---------------------------------------------------------------------

PYTHON_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGcuo%]")
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def _catalogue_id(path: Path) -> str:
    return path.name


def test_there_is_a_catalogue():
    assert CATALOGUES, "playground/locale/zh_Hans/LC_MESSAGES/django.po is missing"


@pytest.mark.parametrize("path", CATALOGUES, ids=_catalogue_id)
def test_every_message_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert not catalogue.metadata_is_fuzzy
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    for entry in catalogue:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


def _placeholders(text: str, flags: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in flags:
        found.update(PYTHON_PLACEHOLDER.findall(text))
    if "python-brace-format" in flags:
        found.update(BRACE_PLACEHOLDER.findall(text))
    return found


@pytest.mark.parametrize("path", CATALOGUES, ids=_catalogue_id)
def test_translations_keep_the_placeholders_and_the_markup(path):
    problems = []
    for entry in polib.pofile(str(path)):
        source = entry.msgid_plural or entry.msgid
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            if _placeholders(translated, entry.flags) != _placeholders(source, entry.flags):
                problems.append(f"placeholders differ: {entry.msgid!r} -> {translated!r}")
            if Counter(HTML_TAG.findall(translated)) != Counter(HTML_TAG.findall(source)):
                problems.append(f"markup differs: {entry.msgid!r} -> {translated!r}")
    assert problems == []


@pytest.mark.parametrize("path", CATALOGUES, ids=_catalogue_id)
def test_the_compiled_catalogue_is_the_catalogue(path):
    """The .mo the server reads is committed: it must say what the .po says
    (`make messages` compiles it)."""

    def messages(catalogue: Any) -> dict[tuple[str | None, str], Any]:
        return {
            (e.msgctxt, e.msgid): tuple(sorted(e.msgstr_plural.items()))
            if e.msgid_plural
            else e.msgstr
            for e in catalogue
            if (e.msgstr or any(e.msgstr_plural.values())) and not e.obsolete
        }

    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled.name} is missing: run make messages"
    assert messages(polib.mofile(str(compiled))) == messages(polib.pofile(str(path)))


# --- English left on a page ------------------------------------------------------------

# What stays as it is in every language: the product, formats, units, the API's and
# promptfoo's own names (docs/translations.md), and the word "token" (not translated).
ALLOWED_PHRASES = ("Prompt Playground", "JSON Schema")
ALLOWED_WORDS = frozenset(
    """
    Playground CSV JSON JSONL YAML HTML URL API USD UTC ms KiB MiB KB MB GB bytes
    token tokens promptfoo Python OpenAI
    assert equals type value threshold weight request preset tests vars configs
    description defaultTest label provider body mode variables icontains contains
    username month
    """.split()
    # The last line: form fields and address parameters that messages name as they are
    # sent ("username: no user named …", "month: must be a year and month …").
)
CODE_ELEMENTS = frozenset({"script", "style", "code", "pre"})
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
CHECKED_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
TOKEN = re.compile(r"[A-Za-z0-9_.\-/'’@*:]+")
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]")


class _VisibleText(HTMLParser):
    """Text a person sees or hears: text outside code, and the attributes read aloud or
    shown (title, aria-label, placeholder, alt; a button input's value). An element of
    class ``code`` (a code editor) holds code, its placeholder an example of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipped_tag = ""  # inside code: the element that began it, and its depth
        self._skipped_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._skipped_depth:
            self._skipped_depth += tag == self._skipped_tag
            return
        # Code, and text marked as English on purpose (the language switch names English
        # in English, as language pickers do).
        in_english = tag != "html" and (values.get("lang") or "").lower().startswith("en")
        if tag in CODE_ELEMENTS or "code" in (values.get("class") or "").split() or in_english:
            if tag not in VOID_ELEMENTS:
                self._skipped_tag, self._skipped_depth = tag, 1
            return
        for name, value in attrs:
            if value and name in CHECKED_ATTRIBUTES:
                self.chunks.append(value)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.chunks.append(values["value"] or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipped_depth:
            self.handle_starttag(tag, attrs)
            self._skipped_depth = 0 if self._skipped_tag == tag else self._skipped_depth

    def handle_endtag(self, tag: str) -> None:
        if self._skipped_depth and tag == self._skipped_tag:
            self._skipped_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipped_depth and data.strip():
            self.chunks.append(data)


def english_left(html: str, allowed: Iterable[str] = ()) -> list[str]:
    """The runs of English words a rendered page still shows, outside code, product and
    format names, units, API names and ``allowed`` (the user data a test created)."""
    parser = _VisibleText()
    parser.feed(html)
    allowed_words = ALLOWED_WORDS | {w for text in allowed for w in TOKEN.findall(text)}
    runs: list[str] = []
    for chunk in parser.chunks:
        for phrase in ALLOWED_PHRASES:
            chunk = chunk.replace(phrase, " ")
        run: list[str] = []
        position = 0
        for match in TOKEN.finditer(chunk):
            token = match.group().strip(".:'’-/*")
            between = chunk[position : match.start()]
            position = match.end()
            if run and CJK.search(between):
                runs.append(" ".join(run))
                run = []
            if ENGLISH_WORD.fullmatch(token) and token not in allowed_words:
                run.append(token)
        if run:
            runs.append(" ".join(run))
    return runs


def test_english_left_finds_english_outside_code_and_allowed_names():
    page = """<html><head><title>Datasets · Prompt Playground</title>
      <script>var notShown = "Hello there";</script></head>
      <body><p>数据集 <code>__expected</code> CSV 5 MB</p>
      <input placeholder="your name"><textarea class="code" placeholder="city,x"></textarea>
      <p>用它评测 Oslo · Save the rows</p><span title="开始">gpt-4o-mini</span></body></html>"""
    assert english_left(page, allowed=["Oslo"]) == ["Datasets", "your name", "Save the rows"]


def _outside_site_header(html: str) -> str:
    """The site header (templates/base.html) is checked once base.html is marked for
    translation; until then the pages of this area are checked without it."""
    if "{% load i18n" in (Path(settings.BASE_DIR) / "templates" / "base.html").read_text():
        return html
    return re.sub(r'<header class="topbar">.*?</header>', "", html, flags=re.S)


# --- The pages -------------------------------------------------------------------------

CHAT = {
    "mode": "chat",
    "provider": "offline",
    "body": {
        "model": "offline-1",
        "messages": [{"role": "user", "content": "Capital of {{country}}?"}],
    },
}
# Names the test gives its objects: user data, shown as they are in every language.
USER_DATA = ["alice", "bob", "Core", "Capitals", "Norway", "Peru", "country", "offline", "nobody"]


def _user_data() -> list[str]:
    """The test's names, and the price table's (the default rows are data too)."""
    prices = Price.objects.values_list("provider", "model")
    return USER_DATA + [name for row in prices for name in row]


@dataclass
class World:
    admin: User
    member: User
    team: Any
    dataset: Any
    evaluation: Evaluation
    other: Evaluation
    queued: Evaluation
    price: Price


@pytest.fixture
def world(db) -> World:
    admin = User.objects.create_superuser("alice", password="old-password-1")
    member = User.objects.create_user("bob")
    team = make_team("Core", alice="owner", bob="editor")
    Budget.objects.create(team=team, monthly_usd=Decimal("5"))
    Budget.objects.create(user=member, monthly_usd=Decimal("2"))
    make_run(user=admin, provider="offline", model="offline-1", team=team)
    make_run(user=member, provider="offline", model="offline-1", cost=None)
    dataset = dataset_create(
        owner=admin,
        name="Capitals",
        rows=[{"vars": {"country": c}, "expected": "", "notes": ""} for c in ("Norway", "Peru")],
    )
    evaluation = _evaluation(admin, dataset, (CellStatus.PASSED, CellStatus.FAILED))
    other = _evaluation(admin, dataset, (CellStatus.PASSED, CellStatus.ERROR))
    queued = _evaluation(admin, dataset, None)
    price = Price.objects.create(
        provider="offline",
        model="offline-1",
        input_per_million=Decimal("1"),
        output_per_million=Decimal("2"),
        priced_on="2026-01-01",
    )
    return World(admin, member, team, dataset, evaluation, other, queued, price)


def _evaluation(user: User, dataset: Any, statuses: tuple[str, str] | None) -> Evaluation:
    plan = Plan(
        configs=(Config("a", CHAT), Config("b", CHAT)),
        tests=(EvalTest(vars={"country": "Norway"}),),
    )
    evaluation = evaluation_create(user=user, name="Capitals", plan=plan, dataset_id=dataset.pk)
    if statuses is None:
        return evaluation
    for cell, status in zip(evaluation.cells.order_by("config_index"), statuses, strict=True):
        cell.status, cell.latency_ms, cell.total_tokens = status, 100.0, 7
        cell.cost_usd = Decimal("0.001") if status == CellStatus.PASSED else None
        # Cells keep the worker's words (stored, not translated): the test leaves them out.
        cell.results = [{"type": "contains", "passed": status == CellStatus.PASSED, "reason": ""}]
        cell.save()
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.FINISHED)
    return evaluation


@dataclass(frozen=True)
class Page:
    """How to show a page: as whom, and what to ask for (a GET, or a POST that is refused or
    answers with a redirect to follow)."""

    name: str
    ask: Callable[[Client, World], Any]
    as_admin: bool = True


def _get(url: Callable[[World], str]) -> Callable[[Client, World], Any]:
    return lambda client, world: client.get(url(world))


def _post(url: Callable[[World], str], data: Callable[[World], dict]) -> Callable[..., Any]:
    return lambda client, world: client.post(url(world), data(world), follow=True)


def _bad_csv(world: World) -> dict:
    return {"name": "Bad", "file": SimpleUploadedFile("c.csv", b"country,city\nNorway\n")}


def _locked_out(client: Client, world: World) -> Any:
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "alice", "password": "wrong"})
    return response


def _bad_training_file(world: World) -> dict:
    return {"provider": "offline", "file": SimpleUploadedFile("t.jsonl", b"not json\n" * 12)}


PAGES = [
    # Fine-tuning: the page, and a training file refused line by line
    Page("fine-tuning", _get(lambda w: "/fine-tuning/?provider=offline")),
    Page("fine-tuning, a bad file", _post(lambda w: "/fine-tuning/files/", _bad_training_file)),
    # Datasets and evaluations
    Page("datasets", _get(lambda w: "/datasets/")),
    Page("datasets, a bad file", _post(lambda w: "/datasets/", _bad_csv)),
    Page("dataset", _get(lambda w: f"/datasets/{w.dataset.pk}/")),
    Page("dataset, saved", _post(lambda w: f"/datasets/{w.dataset.pk}/", lambda w: {})),
    Page("evaluations", _get(lambda w: "/evaluations/")),
    Page(
        "evaluations, bad fields",
        _post(
            lambda w: "/evaluations/",
            lambda w: {
                "dataset": str(w.dataset.pk),
                "checks": "- type: nonsense",
                "concurrency": "99",
            },
        ),
    ),
    Page("evaluation", _get(lambda w: f"/evaluations/{w.evaluation.pk}/")),
    Page("evaluation, queued", _get(lambda w: f"/evaluations/{w.queued.pk}/")),
    Page(
        "evaluation, run again", _post(lambda w: f"/evaluations/{w.other.pk}/rerun/", lambda w: {})
    ),
    Page(
        "evaluations compared",
        _get(lambda w: f"/evaluations/{w.evaluation.pk}/compare/{w.other.pk}/"),
    ),
    # Teams
    Page("teams", _get(lambda w: "/teams/")),
    Page("team", _get(lambda w: f"/teams/{w.team.pk}/")),
    Page("team, as a member", _get(lambda w: f"/teams/{w.team.pk}/"), as_admin=False),
    Page(
        "team, an unknown user",
        _post(
            lambda w: f"/teams/{w.team.pk}/members/",
            lambda w: {"username": "nobody", "role": "viewer"},
        ),
    ),
    # Sign-in and password
    Page("sign-in, refused", lambda client, w: client.post("/login/", {"username": "alice"})),
    Page("sign-in, locked out", _locked_out),
    Page("sign-in link, used", _get(lambda w: "/signin/MQ/used-token/")),
    Page(
        "password change, refused",
        _post(
            lambda w: "/account/password/",
            lambda w: {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
        ),
    ),
    Page("password changed", _get(lambda w: "/account/password/done/")),
    # Usage, prices, budgets and what runs keep
    Page("usage", _get(lambda w: "/usage/?month=2099-13")),
    Page("usage, everyone", _get(lambda w: "/usage/?scope=all")),
    Page("prices", _get(lambda w: "/usage/prices/")),
    Page(
        "price, refused",
        _post(
            lambda w: f"/usage/prices/{w.price.pk}/",
            lambda w: {"provider": "offline", "model": "offline-1", "input_per_million": "-1"},
        ),
    ),
    Page("price, new", _get(lambda w: "/usage/prices/new/")),
    Page("budgets", _get(lambda w: "/budgets/")),
    Page(
        "budgets, a bad amount",
        _post(lambda w: f"/budgets/team/{w.team.pk}/", lambda w: {"monthly_usd": "lots"}),
    ),
    Page("my budgets", _get(lambda w: "/budgets/"), as_admin=False),
    Page("what runs keep", _post(lambda w: "/account/runs/", lambda w: {"keep_text": ""})),
]


def _show(page: Page, world: World, **headers: str) -> str:
    client = Client(**headers)
    client.force_login(world.admin if page.as_admin else world.member)
    response = page.ask(client, world)
    assert response.status_code < 500
    return _outside_site_header(response.content.decode())


@pytest.fixture(autouse=True)
def english_again_after_each_test():
    """A request in Chinese leaves Chinese active in this thread (LocaleMiddleware does not
    deactivate it): the tests that run next expect the default language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize("shown", PAGES, ids=lambda shown: shown.name)
def test_the_page_reads_in_chinese_when_the_browser_asks(shown, world):
    html = _show(shown, world, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert CJK.search(html)
    assert english_left(html, allowed=_user_data()) == []


@pytest.mark.parametrize("shown", PAGES, ids=lambda shown: shown.name)
def test_the_page_reads_in_english_by_default(shown, world):
    html = _show(shown, world)
    assert english_left(html, allowed=USER_DATA) != []
    for _, language_name in settings.LANGUAGES:  # a language switch names each in itself
        html = html.replace(language_name, "")
    assert not CJK.search(html)


# --- Messages in the reader's language -------------------------------------------------


def test_a_bad_dataset_file_is_refused_in_chinese(db, world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-Hans")
    client.force_login(world.admin)
    page = client.post("/datasets/", _bad_csv(world)).content.decode()
    assert "没有保存或启动任何内容" in page
    assert "<code>第 2 行</code>：有 1 列，而表头有 2 列" in page


def test_dataset_problems_follow_the_active_language():
    with translation.override("zh-hans"), pytest.raises(DatasetInvalid) as invalid:
        dataset_parse(b"country,country\nNorway,Peru\n", "csv")
    assert invalid.value.problems == {"第 1 行，第 2 列“country”": "重复给出了同一个变量名"}
    with translation.override("en"), pytest.raises(DatasetInvalid) as invalid:
        dataset_parse(b"country,country\nNorway,Peru\n", "csv")
    assert invalid.value.problems == {'line 1, column 2 "country"': "names a variable twice"}
