"""Plausible values for named JSON fields, taken from the prompt where that is cheap.

The offline model fills a tool's arguments and a ``json_schema`` reply from the schema
(``schema_example``); this module says what a field's name asks for: ``born`` or
``year`` a year, ``email`` an address, ``city`` a place, ``name`` the person the prompt
is about ("Tell me about Ada Lovelace": "Ada Lovelace", born 1815). A few well-known
people are built in so that the classic examples read right; anyone else gets values
of the right kind. ``schema_example`` checks every value against the schema and uses
its own when one does not fit.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Person:
    birth_date: str
    death_date: str | None
    occupation: str
    nationality: str
    city: str
    known_for: str

    @property
    def born(self) -> int:
        return int(self.birth_date[:4])

    @property
    def died(self) -> int | None:
        return int(self.death_date[:4]) if self.death_date else None

    @property
    def age(self) -> int:
        """Age at death, or today's (2026) for the living."""
        end = self.death_date or "2026-01-15"
        return int(end[:4]) - self.born - (end[5:] < self.birth_date[5:])


def _person(dates: str, occupation: str, nationality: str, city: str, known_for: str) -> Person:
    birth, _, death = dates.partition("/")
    return Person(birth, death or None, occupation, nationality, city, known_for)


# People a demo prompt names most often, so that their fields read right.
PEOPLE = {
    "Ada Lovelace": _person(
        "1815-12-10/1852-11-27",
        "mathematician",
        "British",
        "London",
        "the first published computer program",
    ),
    "Alan Turing": _person(
        "1912-06-23/1954-06-07",
        "mathematician and computer scientist",
        "British",
        "London",
        "the Turing machine",
    ),
    "Grace Hopper": _person(
        "1906-12-09/1992-01-01",
        "computer scientist",
        "American",
        "New York",
        "the first compiler",
    ),
    "Marie Curie": _person(
        "1867-11-07/1934-07-04",
        "physicist and chemist",
        "Polish",
        "Warsaw",
        "her research on radioactivity",
    ),
    "Albert Einstein": _person(
        "1879-03-14/1955-04-18", "physicist", "German", "Ulm", "the theory of relativity"
    ),
    "Isaac Newton": _person(
        "1643-01-04/1727-03-31",
        "mathematician and physicist",
        "English",
        "Woolsthorpe",
        "the laws of motion",
    ),
    "Charles Babbage": _person(
        "1791-12-26/1871-10-18",
        "mathematician and engineer",
        "British",
        "London",
        "the Analytical Engine",
    ),
    "Linus Torvalds": _person(
        "1969-12-28", "software engineer", "Finnish", "Helsinki", "the Linux kernel"
    ),
    "鲁迅": _person("1881-09-25/1936-10-19", "作家", "中国", "绍兴", "《狂人日记》"),
    "李白": _person("0701-02-28/0762-12-01", "诗人", "中国", "碎叶", "《静夜思》"),
}
_COUNTRIES = {
    "Paris": "France",
    "London": "United Kingdom",
    "Berlin": "Germany",
    "Tokyo": "Japan",
    "Madrid": "Spain",
    "Rome": "Italy",
    "New York": "United States",
    "Beijing": "China",
    "Oslo": "Norway",
    "北京": "中国",
    "上海": "中国",
}
_NATIONALITIES = {
    "France": "French",
    "United Kingdom": "British",
    "Germany": "German",
    "Japan": "Japanese",
    "Spain": "Spanish",
    "Italy": "Italian",
    "United States": "American",
    "China": "Chinese",
    "Norway": "Norwegian",
}
# Capitalised words that start a request rather than name what it is about.
_OPENERS = frozenset(
    "What Who Where When Why How Which Tell Describe Give Write Show List Find Get Make "
    "Create Generate Extract Return Please Can Could Would Is Are Do Does The A An I "
    "Summarise Summarize Explain Compare Book Look Check Send Add Set Call Use".split()
)
_NAME_RUN = re.compile(
    r"[A-Z][\w'\u2019-]*(?:\s+(?:(?:de|da|van|von|of|la)\s+)?[A-Z][\w'\u2019-]*)*"
)
_PLACE = re.compile(r"\b(?:in|at|to|from|near)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)")
# Words that join or frame the nouns of a Chinese request.
_CJK_FRAME = re.compile(
    "请|帮我|帮忙|告诉我|介绍一下|介绍|一下|查询|查一下|关于|今天|明天|现在|的|是|在|了|吗|呢|吧|"
    "什么|怎么样|怎么|如何|天气|温度|时间|新闻|生平|我|你|他|她|和|与|给|把|写|一个|一首"
)


@dataclass(frozen=True)
class Prompt:
    """What a prompt is about, read once: its words, its subject, place, person and year."""

    text: str
    words: tuple[str, ...]
    subject: str
    # Who the prompt names: a known person, or two capitalised words in a row (Jane Doe).
    who: str
    place: str
    person: str
    year: int | None
    chinese: bool


def read_prompt(text: str) -> Prompt:
    words = tuple(re.findall(r"[^\W_]+", text))
    chinese = bool(_CJK.search(text))
    person = next((name for name in PEOPLE if name.lower() in text.lower()), "")
    runs = _name_runs(text)
    subject = person or _subject(text, chinese, runs)
    places = [p for p in _PLACE.findall(text) if p != person]
    place = places[-1] if places else (subject if chinese and not person else "")
    named = [r for r in runs if len(r.split()) > 1 and r != place]
    # A lower-case word ("hello") names nobody.
    who = person or (named[0] if named else subject if subject[:1].isupper() or chinese else "")
    year_match = re.search(r"\b(1[0-9]{3}|20[0-9]{2})\b", text)
    return Prompt(
        text=" ".join(text.split()),
        words=words,
        subject=subject,
        who=who,
        place=place,
        person=person,
        year=int(year_match.group(1)) if year_match else None,
        chinese=chinese,
    )


def _subject(text: str, chinese: bool, runs: list[str]) -> str:
    if chinese:
        for run in _CJK_RUN.findall(text):
            for piece in _CJK_FRAME.split(run):
                if len(piece) >= 2:
                    return piece
    if runs:
        return runs[-1]  # the last name is usually the thing asked about ("... in Paris")
    words = re.findall(r"[^\W_]+", text)
    return words[-1] if words else ""


def _name_runs(text: str) -> list[str]:
    """Capitalised words in a row, without the word that opens a request ("Tell")."""
    runs = []
    for match in _NAME_RUN.finditer(text):
        run = match.group(0).split()
        while run and run[0] in _OPENERS:
            run = run[1:]
        if run:
            runs.append(" ".join(run))
    return runs


def field_words(name: str) -> tuple[str, ...]:
    """A property's name as lower-case words: ``birthYear`` and ``birth_year`` alike."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return tuple(w.lower() for w in re.findall(r"[^\W_]+", spaced))


def named_value(name: str, kind: str, prompt: Prompt, variant: int = 0) -> Any:
    """What a field called ``name`` of JSON type ``kind`` plausibly holds, or None."""
    words = set(field_words(name))
    if not words:
        return None
    if kind in {"integer", "number"}:
        return _named_number(words, kind, prompt, variant)
    if kind == "string":
        return _named_string(words, prompt, variant)
    return None


def _year(words: set[str], prompt: Prompt) -> int | None:
    person = PEOPLE.get(prompt.person)
    if words & {"died", "death", "deceased"}:
        return person.died if person else 2019
    if words & {"born", "birth", "birthyear"}:
        return person.born if person else prompt.year or 1990
    if words & {"year", "founded", "established", "released", "published", "built"}:
        return prompt.year or (person.born if person else 2024)
    return None


def _named_number(words: set[str], kind: str, prompt: Prompt, variant: int) -> Any:
    year = _year(words, prompt)
    if year is not None:
        return year + variant
    person = PEOPLE.get(prompt.person)
    if "age" in words:
        return person.age if person else 36
    if words & {"latitude", "lat"}:
        return 48.8566
    if words & {"longitude", "lon", "lng"}:
        return 2.3522
    for names, value in _NUMBERS:
        if words & names:
            number = value + variant
            return float(number) if kind == "number" else round(number)
    return None


_NUMBERS: tuple[tuple[frozenset[str], float], ...] = (
    (frozenset({"price", "cost", "amount", "fee", "total"}), 19.99),
    (frozenset({"salary", "income"}), 52000),
    (frozenset({"rating", "stars"}), 4.5),
    (frozenset({"score"}), 87),
    (frozenset({"percent", "percentage"}), 42),
    (frozenset({"temperature", "temp"}), 18),
    (frozenset({"population"}), 2100000),
    (frozenset({"height"}), 170),
    (frozenset({"weight"}), 65),
    (frozenset({"count", "quantity", "number", "items", "days", "nights", "guests"}), 3),
    (frozenset({"minutes", "duration"}), 30),
    (frozenset({"hours"}), 2),
    (frozenset({"month"}), 6),
    (frozenset({"day"}), 15),
)


def _named_string(words: set[str], prompt: Prompt, variant: int) -> Any:
    person = PEOPLE.get(prompt.person)
    who = prompt.who
    dotted = ".".join(re.findall(r"[a-z0-9]+", who.lower())) or "someone"
    if words & {"email", "mail"}:
        return f"{dotted}@example.com"
    if words & {"url", "uri", "website", "homepage", "link", "href"}:
        wiki = who.replace(" ", "_")
        return (
            f"https://en.wikipedia.org/wiki/{wiki}"
            if who[:1].isupper()
            else ("https://example.com/")
        )
    if words & {"uuid", "guid"} or words == {"id"}:
        return str(
            uuid.UUID(
                bytes=hashlib.sha256(f"{prompt.text}{variant}".encode()).digest()[:16], version=4
            )
        )
    if words & {"date", "birthday", "dob", "timestamp", "deadline", "due"} or (
        words & {"created", "updated", "at", "on"} and len(words) > 1
    ):
        if person and words & {"birth", "born", "birthday", "dob"}:
            return person.birth_date
        return f"2026-01-{15 + variant:02d}"
    if words & {"born", "birth"}:
        return person.birth_date if person else str(_year(words, prompt))
    if words & {"died", "death"}:
        return str(person.died) if person and person.died else None
    if words & {"phone", "telephone", "mobile", "tel"}:
        return "+44 20 7946 0958"
    if words & {"first", "given", "firstname"} and words & {"name", "firstname"}:
        return who.split()[0] if who else "Ada"
    if words & {"last", "family", "surname", "lastname"}:
        return who.split()[-1] if who else "Lovelace"
    if words & {"username", "handle", "login", "slug"}:
        return dotted.replace(".", "-" if "slug" in words else "_")
    if words & {"name", "author", "person", "speaker", "fullname"}:
        return who or "Ada Lovelace"
    if words & {"city", "town", "place", "location", "destination", "origin"}:
        return prompt.place or (person.city if person else "") or subject_place(prompt)
    if words & {"nationality", "citizenship"}:
        if person:
            return person.nationality
        country = _COUNTRIES.get(prompt.place, "")
        return "中国" if prompt.chinese else _NATIONALITIES.get(country, "British")
    if words & {"country"}:
        if person:
            return person.nationality
        return _COUNTRIES.get(prompt.place, "中国" if prompt.chinese else "France")
    if words & {"language", "lang", "locale"}:
        return "中文" if prompt.chinese else "English"
    if words & {"occupation", "job", "profession", "role", "title"} and person:
        return person.occupation
    if words & {"known", "achievement", "notable", "famous", "work"} and person:
        return person.known_for
    if words & {"currency"}:
        return "EUR"
    if words & {"colour", "color"}:
        return ("blue", "green", "red", "yellow")[variant % 4]
    if words & {"tag", "tags", "keyword", "keywords", "topic", "topics", "label", "labels"}:
        keywords = [w.lower() for w in prompt.words if len(w) > 3 or _CJK.search(w)]
        return keywords[variant % len(keywords)] if keywords else None
    if words & {"description", "summary", "bio", "biography", "about", "overview", "explanation"}:
        return _summary(prompt)
    return None


def subject_place(prompt: Prompt) -> str:
    return "北京" if prompt.chinese else "London"


def _summary(prompt: Prompt) -> str:
    person = PEOPLE.get(prompt.person)
    if person and prompt.chinese:
        return (
            f"{prompt.person}，{person.nationality}{person.occupation}，以{person.known_for}闻名。"
        )
    if person:
        life = f"{person.born}\u2013{person.died}" if person.died else f"born {person.born}"
        return f"{prompt.person} ({life}) was a {person.nationality} {person.occupation}, known for {person.known_for}."
    if prompt.chinese:
        return f"关于{prompt.who}的简要说明。" if prompt.who else "一段简要说明。"
    if prompt.who:
        return f"A short summary about {prompt.who}."
    return "A short summary."
