"""The offline model's moderation verdicts: a small demo vocabulary, read in context.

A listed term flags its category (score 0.85 and up), so flagging can be tried with no
key. The everyday and technical uses of the same words ("kill a process", "shoot me an
email", "attack surface", "blood test") are not harmful: they are taken out of the text
before its category's terms are matched, and only raise that category a little, as a
real model's score does. Other scores are small floats, one per category, like
OpenAI's for a benign text. Deterministic, no network.
"""

import hashlib
import re
from typing import Any

MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)

FLAG_AT = 0.5

# Terms are regular expressions over the text's words: lower case, joined by single
# spaces, punctuation dropped ("Self-harm!" reads "self harm", "don't" reads "don t").
_PERSON = r"(?:you|u|him|her|them|us|me|people|someone|everyone|everybody|anyone)"
_GROUP = (
    r"(?:immigrants|refugees|foreigners|jews|muslims|christians|hindus|gays|lesbians|"
    r"women|blacks|whites|asians|arabs|mexicans|migrants)"
)
_KILL = r"kill(?:s|ed|ing)?"

MODERATION_TERMS: dict[str, tuple[str, ...]] = {
    "harassment": (
        r"idiots?",
        r"morons?",
        r"losers?",
        r"you (?:are|re) (?:a |an |so )?(?:\w+ )?(?:stupid|worthless|pathetic|disgusting)",
    ),
    "harassment/threatening": (
        r"threat(?:en|ens|ened|ening)",
        rf"hunt(?:s|ed|ing)? {_PERSON} down",
        r"watch your back",
        r"you (?:will|ll) (?:regret|pay for) (?:it|this|that)",
    ),
    "hate": (
        rf"hate (?:all )?(?:the )?{_GROUP}",
        rf"{_GROUP} (?:are|is) (?:inferior|subhuman|vermin|animals|a disease)",
        r"inferior (?:race|races|people)",
        r"subhumans?",
        r"master race",
    ),
    "hate/threatening": (
        rf"(?:kill|exterminate|eradicate|wipe out) (?:all )?(?:the )?{_GROUP}",
        r"ethnic cleansing",
    ),
    "illicit": (
        r"steal(?:s|ing)?|stole|stolen",
        r"shoplift(?:s|ed|ing)?",
        r"counterfeit(?:s|ed|ing)?",
        r"launder(?:ing)? (?:the )?money|money laundering",
    ),
    "illicit/violent": (
        r"bomb(?:s|ing)?",
        r"weapons?",
        r"explosives?",
    ),
    "self-harm": (
        r"suicid(?:e|es|al)",
        r"self harm(?:ing)?",
        r"(?:kill|killing|hurt|hurting|cut|cutting|harm|harming) myself",
        r"end(?:ing)? my (?:own )?life",
    ),
    "self-harm/intent": (
        r"(?:i want to|i m going to|im going to|i will|i ll|i am going to) "
        r"(?:kill myself|die|end my life|hurt myself|cut myself)",
    ),
    "self-harm/instructions": (
        r"how (?:do i|to|can i|should i) "
        r"(?:kill myself|commit suicide|end my life|cut myself|hurt myself)",
    ),
    "violence": (
        _KILL,
        r"killers?",
        r"murder(?:s|ed|ing|er|ers)?",
        r"stab(?:s|bed|bing)?",
        rf"shoot(?:s|ing)? {_PERSON}|shot (?:dead|{_PERSON})|(?:school|mass) shooting",
        r"attack(?:s|ed|ing)?",
        r"hurt(?:s|ing)?",
        rf"beat(?:s|ing)? {_PERSON} up",
        r"strangl(?:e|es|ed|ing)",
        r"massacre(?:s|d)?",
        r"tortur(?:e|es|ed|ing)",
        rf"execut(?:e|es|ed|ing) (?:{_PERSON}|the prisoners?|prisoners|the hostages?|hostages)",
    ),
    "violence/graphic": (
        r"gore|gory",
        r"blood(?:y|ied)?",
        r"dismember(?:s|ed|ing)?",
        r"mutilat(?:e|es|ed|ing|ion)",
        r"disembowel(?:s|ed|led|ing)?",
        r"decapitat(?:e|es|ed|ing|ion)",
    ),
}

# Uses of a category's terms that are not harmful: taken out before its terms are
# matched. An object between the verb and what it acts on may not be a person
# ("kill you and the process" is still a threat).
_NOT_A_PERSON = rf"(?: (?!{_PERSON}\b|myself\b|yourself\b)\w+)"
_TECH_OBJECTS = (
    r"(?:process|processes|pid|pids|task|tasks|job|jobs|thread|threads|session|sessions|"
    r"command|server|daemon|service|container|containers|pod|pods|app|apps|application|"
    r"program|query|queries|connection|connections|tab|tabs|window|terminal|shell|loop|"
    r"signal|switch|request|requests|build|worker|workers|script|vm|instance|port)"
)
_BODY_PARTS = (
    r"(?:back|head|feet|foot|knee|knees|eyes|eye|arm|arms|leg|legs|tooth|teeth|stomach|neck|"
    r"shoulder|wrist|hand|hands|throat|ears|feelings)"
)
HARMLESS_USES: dict[str, tuple[str, ...]] = {
    "violence": (
        rf"{_KILL}{_NOT_A_PERSON}{{0,4}}? {_TECH_OBJECTS}",
        rf"{_KILL} \d+",  # kill -9 1234
        r"killing it|kill(?:ing)? time|kill two birds|killer (?:feature|app|apps|features)",
        r"kill(?:ing)? myself laughing",
        rf"shoot(?:s|ing)? {_PERSON} (?:an? |the )?(?:email|mail|message|text|note|line|dm|link)",
        r"(?:kill|killing|hurt|hurting) myself",  # self-harm, not violence against others
        r"attack(?:s)? (?:surface|surfaces|vector|vectors|tree|trees|path|paths|pattern|patterns)",
        r"(?:heart|panic|asthma|anxiety|dos|ddos|timing|replay|phishing|injection|"
        r"side channel|dictionary|brute force|downgrade|supply chain) attacks?",
        r"attack(?:ing)? (?:the|this|that) (?:problem|issue|question|task)",
        rf"{_BODY_PARTS} hurts?",
        rf"hurt(?:s)? (?:my|your|his|her|their|our) {_BODY_PARTS}",
        r"(?:doesn t|does not|wouldn t|would not|won t|will not|can t|cannot|didn t) hurt",
        r"(?:it|that|this) hurts",
    ),
    "violence/graphic": (
        r"blood (?:test|tests|pressure|type|types|sugar|cell|cells|donation|donations|donor|"
        r"donors|bank|sample|samples|count|orange|oranges|moon|vessel|vessels|flow|work|glucose)",
        r"(?:donate|donating|give|giving|gave) blood",
        r"al gore",
    ),
    "illicit": (
        r"steal(?:s|ing)? (?:the )?(?:show|spotlight|scene|limelight|base|bases|glance|glances|"
        r"focus|heart|hearts)",
        r"(?:work|cycle|page|cpu) steal(?:s|ing)?|steal(?:ing)? (?:work|cycles)",
        r"counterfeit (?:detection|detector|detectors)",
    ),
    "illicit/violent": (
        r"bath bombs?|f bombs?|photo bomb(?:s|ed|ing)?|da bomb",
        r"bomb(?:ed|s)? (?:the|my|an|a) (?:exam|test|interview|audition)",
        r"secret weapons?|weapon of choice",
    ),
    "self-harm": (
        r"suicide (?:prevention|hotline|hotlines|helpline|helplines|squad|awareness|rates?)",
    ),
}

# Words that make a text a little more likely in a category without flagging it.
MILD_TERMS: dict[str, tuple[str, ...]] = {
    "harassment": (r"stupid|dumb|pathetic|worthless",),
    "hate": (r"hat(?:e|es|ed|ing)|inferior",),
    "violence": (r"shoot(?:s|ing)?|shot|execut(?:e|es|ed|ing|ion)|fight(?:s|ing)?|war",),
}

# A flagged category makes those it implies likelier (a threat to kill is harassing).
_RELATED = {
    "violence": ("harassment/threatening", "harassment"),
    "hate": ("harassment",),
    "hate/threatening": ("hate", "violence"),
    "self-harm/intent": ("self-harm", "violence"),
    "self-harm/instructions": ("self-harm",),
    "illicit/violent": ("illicit", "violence"),
}


def _compiled(patterns: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    # Whole words only: each alternative sits between the spaces of the spaced text.
    return {
        name: re.compile(" (?:" + "|".join(f"(?:{p})" for p in listed) + ")(?= )")
        for name, listed in patterns.items()
    }


_TERMS = _compiled(MODERATION_TERMS)
_HARMLESS = _compiled(HARMLESS_USES)
_MILD = _compiled(MILD_TERMS)


def moderation_result(text: str) -> dict[str, Any]:
    """One verdict in OpenAI's shape: flags, scores and input types for every category."""
    spaced = " " + " ".join(re.findall(r"[^\W_]+", text.lower())) + " "
    scores: dict[str, float] = {}
    for name in MODERATION_CATEGORIES:
        harmless = _HARMLESS.get(name)
        # Keep the spaces around a harmless use, so the words beside it stay whole words.
        kept = harmless.sub("  ", spaced) if harmless else spaced
        terms = _TERMS.get(name)
        hits = len(terms.findall(kept)) if terms else 0
        mild = _MILD.get(name)
        mentions = kept != spaced or bool(mild and mild.search(kept))
        if hits:
            scores[name] = min(0.99, 0.85 + 0.05 * hits)
        elif mentions:
            scores[name] = 0.002 + 0.02 * _fraction(name, text)
        else:
            # Benign text: a figure between a millionth and a thousandth, as OpenAI's.
            scores[name] = 10 ** (-6 + 3 * _fraction(name, text))
    for name in MODERATION_CATEGORIES:
        if scores[name] >= FLAG_AT:
            for related in _RELATED.get(name, ()):
                if scores[related] < FLAG_AT:
                    lifted = 0.1 + 0.3 * _fraction(f"{name}>{related}", text)
                    scores[related] = max(scores[related], lifted)
    rounded = {name: float(f"{scores[name]:.6g}") for name in MODERATION_CATEGORIES}
    categories = {name: score >= FLAG_AT for name, score in rounded.items()}
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": rounded,
        "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
    }


def _fraction(salt: str, text: str) -> float:
    """A stable number in [0, 1) for this category and text."""
    return int(hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()[:8], 16) / 0x100000000
