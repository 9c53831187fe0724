"""The offline model's Edit mode: the input, edited as a simple instruction asks.

The page shows an edit as a word diff of the input and the reply, so the reply is the
input with a few changes in place, never a rewrite. It recognises a handful of
instructions (in English, and a few Chinese words for the same): fix the spelling,
correct the grammar, formal or casual tone, upper, lower or title case, capitalise the
sentences, punctuate, remove repeated words, tidy the spacing, shorten. Any other
instruction (translating, say: the offline model knows no other language) gets a light
tidy: spacing, known misspellings, repeated words, capitals and a final full stop.
Deterministic, no network.
"""

import re
from collections.abc import Callable

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")

# Common misspellings and their correction (lower case; the case of the original is kept).
MISSPELLINGS = {
    "acheive": "achieve",
    "accross": "across",
    "adress": "address",
    "alot": "a lot",
    "arguement": "argument",
    "basicly": "basically",
    "becuase": "because",
    "beleive": "believe",
    "begining": "beginning",
    "buisness": "business",
    "calender": "calendar",
    "comming": "coming",
    "commited": "committed",
    "definately": "definitely",
    "embarass": "embarrass",
    "enviroment": "environment",
    "existance": "existence",
    "finaly": "finally",
    "foriegn": "foreign",
    "freind": "friend",
    "goverment": "government",
    "grammer": "grammar",
    "happend": "happened",
    "helo": "hello",
    "immediatly": "immediately",
    "independant": "independent",
    "knowlege": "knowledge",
    "lenght": "length",
    "libary": "library",
    "neccessary": "necessary",
    "noticable": "noticeable",
    "occassion": "occasion",
    "occured": "occurred",
    "occurence": "occurrence",
    "peice": "piece",
    "persistant": "persistent",
    "posession": "possession",
    "prefered": "preferred",
    "realy": "really",
    "recieve": "receive",
    "recieved": "received",
    "reccomend": "recommend",
    "recomend": "recommend",
    "refered": "referred",
    "relevent": "relevant",
    "seperate": "separate",
    "succesful": "successful",
    "teh": "the",
    "thier": "their",
    "tommorow": "tomorrow",
    "tomorow": "tomorrow",
    "truely": "truly",
    "twoo": "two",
    "untill": "until",
    "wierd": "weird",
    "wich": "which",
    "wrld": "world",
    "writting": "writing",
}

# Formal tone: informal words, and contractions written out.
_INFORMAL = {
    "hey": "hello",
    "hi": "hello",
    "yeah": "yes",
    "yep": "yes",
    "nope": "no",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "have to",
    "kinda": "somewhat",
    "sorta": "somewhat",
    "thanks": "thank you",
    "thx": "thank you",
    "pls": "please",
    "plz": "please",
    "asap": "as soon as possible",
    "guys": "everyone",
    "awesome": "excellent",
}
_IRREGULAR_CONTRACTIONS = {
    "let's": "let us",
    "can't": "cannot",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
}
_PRONOUN_IS = ("it", "that", "there", "what", "here", "he", "she", "who")
_SUFFIXES = {"re": "are", "m": "am", "ve": "have", "ll": "will", "d": "would"}

# Casual tone: the reverse, for the contractions people write without a second thought.
_CONTRACTIONS = {
    "do not": "don't",
    "does not": "doesn't",
    "did not": "didn't",
    "is not": "isn't",
    "are not": "aren't",
    "was not": "wasn't",
    "were not": "weren't",
    "cannot": "can't",
    "can not": "can't",
    "will not": "won't",
    "would not": "wouldn't",
    "should not": "shouldn't",
    "could not": "couldn't",
    "have not": "haven't",
    "has not": "hasn't",
    "i am": "I'm",
    "you are": "you're",
    "we are": "we're",
    "they are": "they're",
    "it is": "it's",
    "that is": "that's",
    "there is": "there's",
    "let us": "let's",
    "i will": "I'll",
    "we will": "we'll",
    "you will": "you'll",
    "hello": "hi",
}

# Words that say little: what "shorter" drops first.
_FILLERS = re.compile(
    r"\b(?:basically|actually|honestly|literally|really|just|very|quite|totally|simply)\b,?\s+",
    re.IGNORECASE,
)
_WORDY = {
    "in order to": "to",
    "due to the fact that": "because",
    "at this point in time": "now",
    "for the purpose of": "for",
}

_QUESTION_WORDS = frozenset(
    "who what when where why how which is are am was were do does did can could would "
    "should will shall may might have has isn't aren't don't doesn't didn't won't can't".split()
)
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st.")
_SMALL_WORDS = frozenset("a an the and or but nor of in on at to for by with as".split())
_LIST_MARKER = re.compile(r"^\s*(?:[-*\u2022>]|\d+[.)])\s")
# Source code is not prose: an indented line after one ending in ":" or "{", a line
# ending in ";" or "{", or operators prose does not use.
_CODE = re.compile(
    r"[:{][ \t]*\n[ \t]+\S|[;{}][ \t]*$|=>|==|\(\)|^\s*(?:#include|import|from \S+ import)\b", re.M
)


def edited_text(instruction: str, text: str) -> str:
    """``text`` edited as ``instruction`` asks, or lightly tidied when it asks otherwise."""
    steps = _steps_for(instruction.lower())
    if steps == _LIGHT_TIDY and _CODE.search(text):
        # Unasked changes to code (capitals, full stops) would break it: spaces only.
        return re.sub(r"[ \t]+$", "", text, flags=re.M)
    for step in _PIPELINE:
        if step in steps:
            text = step(text)
    return text


# --- the edits -------------------------------------------------------------------------


def tidy_spacing(text: str) -> str:
    """One space between words, none before punctuation, one after a comma; lines kept."""
    lines = []
    for line in text.split("\n"):
        indent = re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
        body = re.sub(r"[ \t]+", " ", line[len(indent) :]).rstrip()
        body = re.sub(r" ([,.;:!?])(?=[^\W\d_])", r"\1 ", body)  # "ready ,and" -> "ready, and"
        body = re.sub(r" +([,.;:!?])", r"\1", body)
        body = re.sub(r",(?=[^\W\d_])", ", ", body)
        lines.append(indent + body)
    tidied = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    # Chinese text takes full-width punctuation.
    marks = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "!": "\uff01", "?": "\uff1f"}
    return re.sub(f"(?<=[{_CJK}])\\s*([,;:!?])\\s*", lambda m: marks[m.group(1)], tidied)


_MISSPELLED = re.compile(r"\b(" + "|".join(MISSPELLINGS) + r")\b", re.IGNORECASE)


def fix_spelling(text: str) -> str:
    return _MISSPELLED.sub(lambda m: _same_case(m.group(0), MISSPELLINGS[m.group(0).lower()]), text)


def remove_repeats(text: str) -> str:
    """A word written twice in a row once ("the the"); "had had" and "that that" are English."""

    def once(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1).lower() in {"had", "that"} else match.group(1)

    return re.sub(r"\b(\w+)(?:[ \t]+\1\b)+", once, text, flags=re.IGNORECASE)


def formal_tone(text: str) -> str:
    if _CJK_CHAR.search(text):
        return text.replace("你", "您").replace("!", "。").replace("\uff01", "。")
    text = re.sub(r"[!?]*!+[!?]*", lambda m: "?" if "?" in m.group(0) else ".", text)
    for short, written in _IRREGULAR_CONTRACTIONS.items():
        text = _replace_words(text, short.replace("'", "['\u2019]"), written)
    text = re.sub(r"\b(\w+)n['\u2019]t\b", r"\1 not", text, flags=re.IGNORECASE)
    for pronoun in _PRONOUN_IS:
        text = _replace_words(text, f"{pronoun}['\u2019]s", f"{pronoun} is")
    text = re.sub(
        r"\b(i|you|we|they|he|she|it)['\u2019](re|m|ve|ll|d)\b",
        lambda m: f"{m.group(1)} {_SUFFIXES[m.group(2).lower()]}",
        text,
        flags=re.IGNORECASE,
    )
    for informal, formal in _INFORMAL.items():
        text = _replace_words(text, informal, formal)
    return text


def casual_tone(text: str) -> str:
    for written, short in _CONTRACTIONS.items():
        text = _replace_words(text, written.replace(" ", r"\s+"), short)
    return text


def shorten(text: str) -> str:
    for wordy, short in _WORDY.items():
        text = _replace_words(text, wordy, short)
    return _FILLERS.sub("", text)


def capital_i(text: str) -> str:
    return re.sub(r"(?<![\w'\u2019.-])i(?=['\u2019](?:m|ve|ll|d)\b|[\s,;:!?]|$)", "I", text)


def capitalise_sentences(text: str) -> str:
    """A capital at the start, after a full stop, question or exclamation mark, and after
    a blank line; a word with capitals of its own (iPhone) is left as it is."""

    def capital(match: re.Match[str]) -> str:
        before, word = match.group(1), match.group(2)
        preceding = match.string[: match.start(2)].rstrip().lower()
        if any(c.isupper() for c in word) or preceding.endswith(_ABBREVIATIONS):
            return match.group(0)
        return before + word[0].upper() + word[1:]

    return re.sub(
        r"((?:^|[.!?]\s+|\n\s*\n)\W*?)([^\W\d_][\w'\u2019]*)", capital, text, flags=re.DOTALL
    )


def end_with_punctuation(text: str) -> str:
    """A full stop (a question mark for a question) after a last line that is prose."""
    stripped = text.rstrip()
    last_line = stripped.rsplit("\n", 1)[-1]
    if not stripped or _LIST_MARKER.match(last_line) or not stripped[-1].isalnum():
        return text
    if " " not in last_line.strip() and not _CJK_CHAR.search(last_line):
        return text  # one word is a label or a name, not a sentence
    sentence = re.split(r"[.!?\u3002\uff01\uff1f]\s*", stripped)[-1].strip()
    first = sentence.split(" ", 1)[0].lower()
    if _CJK_CHAR.search(stripped[-1]):
        mark = "\uff1f" if stripped.endswith(("吗", "呢", "么")) else "\u3002"
    else:
        mark = "?" if first in _QUESTION_WORDS else "."
    return stripped + mark + text[len(stripped) :]


def upper_case(text: str) -> str:
    return text.upper()


def lower_case(text: str) -> str:
    return text.lower()


def title_case(text: str) -> str:
    words = re.split(r"(\s+)", text)
    last = max((i for i, w in enumerate(words) if w.strip()), default=0)
    titled = []
    for i, word in enumerate(words):
        small = word.lower() in _SMALL_WORDS and 0 < i < last
        keep = small or any(c.isupper() for c in word[1:])  # a small word, or "iPhone"
        titled.append(word.lower() if small else word if keep else word[:1].upper() + word[1:])
    return "".join(titled)


# --- instructions ----------------------------------------------------------------------

Step = Callable[[str], str]

# The order edits are made in, whichever the instruction names.
_PIPELINE: tuple[Step, ...] = (
    tidy_spacing,
    fix_spelling,
    remove_repeats,
    formal_tone,
    casual_tone,
    shorten,
    capital_i,
    capitalise_sentences,
    end_with_punctuation,
    upper_case,
    lower_case,
    title_case,
)
_FIX = (tidy_spacing, fix_spelling, remove_repeats, capital_i, capitalise_sentences)
_FULL_FIX = (*_FIX, end_with_punctuation)
_LIGHT_TIDY = frozenset(_FULL_FIX)

# What an instruction asks for: the first words found decide, in this order; several
# may be asked at once ("fix the spelling and make it formal").
_INSTRUCTIONS: tuple[tuple[re.Pattern[str], tuple[Step, ...]], ...] = tuple(
    (re.compile(pattern), steps)
    for pattern, steps in (
        (r"title case|capitali[sz]e (?:each|every|all) words?|首字母大写", (title_case,)),
        (r"upper ?case|all caps|capital letters|block letters|大写", (upper_case,)),
        (r"lower ?case|small letters|小写", (lower_case,)),
        (r"spell|typo|拼写|错别字", (fix_spelling,)),
        (r"casual|informal|friendly|conversational|relaxed|口语|随意|轻松", (casual_tone,)),
        (r"(?<!in)formal|professional|polite|business|正式|礼貌|专业", (*_FULL_FIX, formal_tone)),
        (r"punctuat|标点", (tidy_spacing, capitalise_sentences, end_with_punctuation)),
        (r"capitali[sz]|sentence case", (capital_i, capitalise_sentences)),
        (r"duplicate|repeated|repetition|doubled|重复", (remove_repeats,)),
        (r"white ?space|spacing|spaces|空格", (tidy_spacing,)),
        (
            r"short|concise|brief|trim|tighten|succinct|summari[sz]|condense|简洁|精简|缩短|概括",
            (shorten, capitalise_sentences),
        ),
    )
)


def _steps_for(instruction: str) -> frozenset[Step]:
    asked: set[Step] = set()
    for pattern, steps in _INSTRUCTIONS:
        if pattern.search(instruction) and not (
            # "lowercase" and "uppercase" both say "case"; "capital letters" is upper case.
            (lower_case in asked or upper_case in asked or title_case in asked)
            and steps[0] in {upper_case, lower_case, title_case, capital_i}
        ):
            asked.update(steps)
    # Anything else ("fix it", "proofread", "translate to French"): a light tidy.
    return frozenset(asked) or _LIGHT_TIDY


def _replace_words(text: str, words: str, replacement: str) -> str:
    pattern = re.compile(rf"\b{words}\b", re.IGNORECASE)
    return pattern.sub(lambda m: _same_case(m.group(0), replacement), text)


def _same_case(original: str, replacement: str) -> str:
    """``replacement`` written as ``original`` is: all capitals, a capital first, or as is."""
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement
