"""The checks that ask a model: ``similar`` (embeddings) and ``llm-rubric`` (a grader).

The check's ``provider`` and ``model`` pick them; without, the cell's own provider with
``PLAYGROUND_EVAL_EMBEDDING_MODEL`` / ``PLAYGROUND_EVAL_GRADER_MODEL``. Grading calls are
not recorded as runs of the evaluation (promptfoo does not count them either); their
failures fail the check with the provider's words.
"""

import json
from typing import Any

from django.conf import settings

from playground.evals.assertions import Assertion, cosine_similarity
from playground.outcome import RunOutcome, RunStatus
from playground.providerconfig.lookup import aget_provider
from playground.streaming import relay_run

# The grader's instructions, after promptfoo's llm-rubric: a verdict as a JSON object.
RUBRIC_PROMPT = (
    "You grade an output against a rubric. Read the output and the rubric, then answer "
    'with only a JSON object: {"reason": "<why, in one or two sentences>", "pass": '
    '<true or false>, "score": <a number from 0.0 to 1.0>}.'
)


class GraderFailed(RuntimeError):
    """The grading call did not give an answer the check can read."""


class ProviderGrader:
    """Grades with the playground's providers, as ``user`` may use them."""

    def __init__(self, user: Any, default_provider: str = "") -> None:
        self.user = user
        self.default_provider = default_provider

    async def similarity(self, assertion: Assertion, expected: str, output: str) -> float:
        body = {
            "model": assertion.model or settings.PLAYGROUND_EVAL_EMBEDDING_MODEL,
            "input": [expected, output],
        }
        outcome = await self._ask(assertion, body, "embedding")
        if outcome.embeddings is None or len(outcome.embeddings.vectors) != 2:
            raise GraderFailed("the embeddings answer did not hold two vectors")
        first, second = outcome.embeddings.vectors
        return cosine_similarity(first, second)

    async def rubric(self, assertion: Assertion, output: str) -> tuple[bool, float, str]:
        body = {
            "model": assertion.model or settings.PLAYGROUND_EVAL_GRADER_MODEL,
            "messages": [
                {"role": "system", "content": RUBRIC_PROMPT},
                {
                    "role": "user",
                    "content": f"<Output>\n{output}\n</Output>\n<Rubric>\n{assertion.value}\n</Rubric>",
                },
            ],
            "temperature": 0,
        }
        outcome = await self._ask(assertion, body, "chat")
        return rubric_verdict(outcome.text.get(0, ""))

    async def _ask(self, assertion: Assertion, body: dict[str, Any], mode: str) -> RunOutcome:
        name = (
            assertion.provider or self.default_provider or next(iter(settings.PLAYGROUND_PROVIDERS))
        )
        provider = await aget_provider(name, self.user)
        outcome = RunOutcome()
        await relay_run(provider, body, _discard, mode=mode, outcome=outcome)
        if outcome.status != RunStatus.FINISHED:
            raise GraderFailed(f"{name} answered: {outcome.error or outcome.status}")
        return outcome


def rubric_verdict(text: str) -> tuple[bool, float, str]:
    """The grader's JSON verdict (it may be fenced or have words around it)."""
    start, end = text.find("{"), text.rfind("}")
    try:
        verdict = json.loads(text[start : end + 1]) if start != -1 else None
    except json.JSONDecodeError:
        verdict = None
    if not isinstance(verdict, dict) or not isinstance(verdict.get("pass"), bool):
        raise GraderFailed(f"the grader did not answer a verdict as JSON: {text[:200]!r}")
    passed = verdict["pass"]
    score = verdict.get("score")
    score = float(score) if isinstance(score, (int, float)) else (1.0 if passed else 0.0)
    return passed, max(0.0, min(1.0, score)), str(verdict.get("reason") or "")


async def _discard(html: str) -> None:
    """Grading calls show nowhere."""
