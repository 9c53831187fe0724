"""An evaluation's figures per configuration: pass rate, latency, tokens and cost."""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from playground.evals.models import FINISHED_CELLS, CellStatus, EvalCell, Evaluation


@dataclass
class ConfigSummary:
    label: str
    cells: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    tokens: int = 0
    cost: Decimal = Decimal(0)
    # Cells whose cost is unknown (no price): the total then reads "at least".
    cost_unknown: int = 0

    @property
    def finished(self) -> int:
        return self.passed + self.failed + self.errors

    @property
    def pass_rate(self) -> float | None:
        """Passed cells over finished ones (an error counts as not passing)."""
        return self.passed / self.finished if self.finished else None

    @property
    def latency_avg_ms(self) -> float | None:
        return sum(self.latencies) / len(self.latencies) if self.latencies else None

    @property
    def latency_p90_ms(self) -> float | None:
        return percentile(self.latencies, 90)


@dataclass
class Summary:
    total: int
    finished: int
    configs: list[ConfigSummary]

    @property
    def percent(self) -> int:
        return math.floor(100 * self.finished / self.total) if self.total else 100

    @property
    def best(self) -> ConfigSummary | None:
        """The configuration that passes most (None while nothing has finished)."""
        rated = [c for c in self.configs if c.pass_rate is not None]
        return max(rated, key=lambda c: c.pass_rate or 0.0) if rated else None


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile (p90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def evaluation_summary(evaluation: Evaluation) -> Summary:
    configs = [ConfigSummary(str(c["label"])) for c in evaluation.plan.get("configs") or []]
    rows = EvalCell.objects.filter(evaluation=evaluation).values_list(
        "config_index", "status", "latency_ms", "total_tokens", "cost_usd"
    )
    total = finished = 0
    for config_index, status, latency, tokens, cost in rows:
        total += 1
        if config_index >= len(configs) or status not in FINISHED_CELLS:
            continue
        finished += 1
        summary = configs[config_index]
        summary.cells += 1
        _count(summary, status, latency, tokens, cost)
    return Summary(total=total, finished=finished, configs=configs)


def _count(summary: ConfigSummary, status: str, latency: Any, tokens: Any, cost: Any) -> None:
    if status == CellStatus.PASSED:
        summary.passed += 1
    elif status == CellStatus.FAILED:
        summary.failed += 1
    else:
        summary.errors += 1
    if latency is not None and status != CellStatus.ERROR:
        summary.latencies.append(float(latency))
    summary.tokens += tokens or 0
    if cost is None:
        if status != CellStatus.ERROR:
            summary.cost_unknown += 1
    else:
        summary.cost += cost
