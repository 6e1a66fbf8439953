"""The learned win probability (赢率预测): a naive-Bayes frequency model, like Odoo's predictive lead scoring.

Training set: the company's live closed opportunities — won against lost (invalid ones are not deals). For each
configured feature (data, R23: ``ScoringModel.features``) the model counts, with one GROUP BY per feature, how many
won and lost opportunities had each value. An open opportunity with values x₁…xₙ gets

    odds(won | x) = (W + 1) / (L + 1) · Π P(xᵢ | won) / P(xᵢ | lost)
    P(xᵢ = v | won) = (won with v + 1) / (W + K)     (Laplace smoothing; K = number of values seen for the feature)

and P(won | x) = odds / (1 + odds), stored as a whole percentage in ``computed_probability``. A value no closed
opportunity had says nothing and is left out; an empty field is a value of its own ("(empty)").

"Stages reached" is the one feature with several values: a won opportunity passed every active open stage of its
pipeline, a lost or open one the active open stages up to the furthest it ever entered (its stage moves). Each stage
an open opportunity reached is a factor with P(reached | won) = (won that reached it + 1) / (won in the pipeline + 2).

Each factor (feature, value, won count, lost count, likelihood ratio) is kept with the score in
``computed_factors``, with the training time and size, so that the page can say why. Nothing is computed while
there are fewer than ``min_closed`` closed opportunities or none won or none lost.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict
from loam.kit import audit
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.opportunities import scoring_repository as repo
from loam.opportunities import service
from loam.opportunities.models import Opportunity, ScoringModel
from loam.opportunities.schemas import ScoringSettings

ENTITY = "scoring_model"
BATCH = 2000
# Feature key → label, in display order. "stages" is the stages reached; the others are one column each.
FEATURES: dict[str, str] = {
    "industry": N_("Customer industry"),
    "tier": N_("Customer tier"),
    "level": N_("Customer level"),
    "province": N_("Province"),
    "source": N_("Source"),
    "pipeline": N_("Pipeline"),
    "department": N_("Owner's department"),
    "owner": N_("Owner"),
    "currency": N_("Currency"),
    "amount_band": N_("Amount band"),
    "stages": N_("Stages reached"),
}
STAGES = "stages"
LOGIT_LIMIT = 50.0


@dataclass
class Model:
    """The counts a training run learned."""

    trained_at: datetime
    won: int
    lost: int
    counts: dict[str, dict[Any, list[int]]] = field(default_factory=dict)  # feature → value → [won, lost]
    stage_counts: dict[int, list[int]] = field(default_factory=dict)  # stage id → [won, lost] that reached it
    pipeline_totals: dict[int, list[int]] = field(default_factory=dict)  # pipeline id → [won, lost]
    stages: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # pipeline → [(stage id, position)]
    memo: dict[tuple[str, Any], tuple[float, dict[str, Any]] | None] = field(default_factory=dict)


@dataclass
class RunResult:
    status: str  # ok | insufficient
    trained_at: datetime
    closed: int
    won: int
    lost: int
    scored: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"trained_at": self.trained_at.isoformat()}


# --- settings ---


def settings(session: Session) -> ScoringModel:
    """The model's settings and last training (the migration creates the row with the defaults)."""
    found = repo.model_row(session)
    if found is None:
        raise Conflict(_("The win-probability model is missing: run the database migrations."))
    return found


def read_settings(session: Session, scope: Scope) -> ScoringModel:
    """The model as anyone who works opportunities may read it (its page explains the computed probability)."""
    authz_service.require(scope, Permission.opportunities_view)
    return settings(session)


def as_dict(model: ScoringModel) -> dict[str, Any]:
    """The model as the API returns it (``ScoringModelRead``), with the features one may choose."""
    columns = ["features", "min_closed", "status", "trained_at", "closed_count", "won_count", "lost_count"]
    columns += ["scored_count", "duration_ms", "version"]
    out = {c: getattr(model, c) for c in columns} | {"amount_bands": bands_of(model)}
    return out | {"available": [{"key": k, "label": _(label)} for k, label in FEATURES.items()]}


def bands_of(model: ScoringModel) -> list[Decimal]:
    return [Decimal(str(b)) for b in model.amount_bands or []]


def update_settings(session: Session, scope: Scope, data: ScoringSettings) -> ScoringModel:
    """Change the features, amount bands and minimum training size (``pipelines.manage``; 409 on a stale version);
    audited. Scores change at the next training run."""
    authz_service.require(scope, Permission.pipelines_manage)
    model = settings(session)
    if data.version != model.version:
        raise Conflict(_("Someone else changed the model settings. Reload and try again."))
    values = {
        "features": data.features,
        "amount_bands": [str(b) for b in data.amount_bands],
        "min_closed": data.min_closed,
        "updated_by": scope.user_id,
    }
    changes = audit.apply_changes(model, values)
    changes.pop("updated_by", None)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, model.id, "update", changes)
    return model


# --- training and scoring ---


def train(session: Session, keys: list[str], bands: list[Decimal], won: int, lost: int, now: datetime) -> Model:
    """Count, over the closed opportunities, won and lost per value of each feature (GROUP BY queries)."""
    model = Model(trained_at=now, won=won, lost=lost)
    model.counts = {k: repo.value_counts(session, k, bands) for k in keys if k != STAGES}
    if STAGES in keys:
        model.pipeline_totals = repo.pipeline_totals(session)
        model.stages = repo.open_stages(session)
        model.stage_counts = _stage_counts(model, repo.lost_by_furthest(session))
    return model


def _stage_counts(model: Model, lost_at: dict[int, dict[int, int]]) -> dict[int, list[int]]:
    """stage id → [won, lost] that reached it: every won opportunity of the pipeline passed every active open stage;
    a lost one the stages up to the furthest position it entered (``lost_at``: pipeline → position → count)."""
    out: dict[int, list[int]] = {}
    for pipeline_id, rows in model.stages.items():
        won = model.pipeline_totals.get(pipeline_id, [0, 0])[0]
        positions = lost_at.get(pipeline_id, {})
        for stage_id, position in rows:
            out[stage_id] = [won, sum(n for p, n in positions.items() if p >= position)]
    return out


def _factor(key: str, value: Any, won: int, lost: int, p_won: float, p_lost: float) -> tuple[float, dict[str, Any]]:
    ratio = p_won / p_lost
    return math.log(ratio), {"feature": key, "value": value, "won": won, "lost": lost, "ratio": round(ratio, 4)}


def value_factor(model: Model, key: str, value: Any) -> tuple[float, dict[str, Any]] | None:
    """The factor of one feature value (None when no closed opportunity had it), memoised on the model."""
    memo = (key, value)
    if memo not in model.memo:
        by_value = model.counts.get(key, {})
        found = None
        if value in by_value:
            won, lost = by_value[value]
            k = len(by_value)
            found = _factor(key, value, won, lost, (won + 1) / (model.won + k), (lost + 1) / (model.lost + k))
        model.memo[memo] = found
    return model.memo[memo]


def stage_factor(model: Model, pipeline_id: int, stage_id: int) -> tuple[float, dict[str, Any]]:
    """The factor of having reached a stage: P(reached | won) / P(reached | lost) within its pipeline."""
    memo = (STAGES, stage_id)
    if memo not in model.memo:
        in_won, in_lost = model.pipeline_totals.get(pipeline_id, [0, 0])
        won, lost = model.stage_counts.get(stage_id, [0, 0])
        model.memo[memo] = _factor(STAGES, stage_id, won, lost, (won + 1) / (in_won + 2), (lost + 1) / (in_lost + 2))
    return model.memo[memo]  # type: ignore[return-value]


def score(
    model: Model, values: dict[str, Any], pipeline_id: int, furthest: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """The probability (0–100) of one open opportunity and its factors, strongest first."""
    found = [f for f in (value_factor(model, key, value) for key, value in values.items()) if f is not None]
    if furthest is not None and sum(model.pipeline_totals.get(pipeline_id, [0, 0])) > 0:
        for stage_id, position in model.stages.get(pipeline_id, []):
            if position > furthest:
                break
            found.append(stage_factor(model, pipeline_id, stage_id))
    logit = math.log((model.won + 1) / (model.lost + 1)) + sum(f[0] for f in found)
    logit = max(-LOGIT_LIMIT, min(LOGIT_LIMIT, logit))
    probability = 1.0 / (1.0 + math.exp(-logit))
    found.sort(key=lambda f: -abs(f[0]))
    return math.floor(probability * 100 + 0.5), [f[1] for f in found]


def _score_open(session: Session, model: Model, keys: list[str], bands: list[Decimal]) -> int:
    """Score every live open opportunity, in id ranges of BATCH rows, each written back with one executemany."""
    columns = [k for k in keys if k != STAGES]
    meta = {"trained_at": model.trained_at.isoformat(), "size": model.won + model.lost}
    meta |= {"won": model.won, "lost": model.lost}
    ids = repo.open_ids(session)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = []
        furthest = repo.furthest_of(session, chunk[0], chunk[-1]) if STAGES in keys else {}
        for row in repo.open_rows(session, columns, bands, chunk[0], chunk[-1]):
            oid, pipeline_id, *values = tuple(row)
            p, factors = score(model, dict(zip(columns, values, strict=True)), pipeline_id, furthest.get(oid))
            rows.append({"oid": oid, "p": p, "f": meta | {"factors": factors}})
        repo.write_scores(session, rows)
    return len(ids)


def run(session: Session, now: datetime | None = None) -> RunResult:
    """The system job (daily, and on demand): train on the closed opportunities and score every open one, writing
    the scores back in batches; closed opportunities keep no score. With fewer than ``min_closed`` closed
    opportunities, or none won or none lost, every score is emptied and the status says "insufficient"."""
    started = time.perf_counter()
    now = now or utcnow()
    session.flush()
    model_row = settings(session)
    keys = [k for k in model_row.features or [] if k in FEATURES]
    totals = repo.class_totals(session)
    won, lost = totals["won"], totals["lost"]
    if won + lost < model_row.min_closed or not won or not lost:
        repo.clear_scores(session, closed_only=False)
        status, scored = "insufficient", 0
    else:
        model = train(session, keys, bands_of(model_row), won, lost, now)
        scored = _score_open(session, model, keys, bands_of(model_row))
        repo.clear_scores(session, closed_only=True)
        status = "ok"
    seconds = time.perf_counter() - started
    result = RunResult(status, now, won + lost, won, lost, scored, round(seconds, 3))
    repo.save_run(
        session,
        {"status": status, "trained_at": now, "closed_count": won + lost, "won_count": won, "lost_count": lost,
         "scored_count": scored, "duration_ms": int(seconds * 1000)},
    )  # fmt: skip
    _expire(session)
    return result


def _expire(session: Session) -> None:
    """The scores were written with Core statements: reload what the session already holds."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Opportunity | ScoringModel):
            session.expire(obj)


def run_now(session: Session, scope: Scope) -> RunResult:
    """Recompute now ("recompute now", ``POST /opportunities/scoring/run``, ``pipelines.manage``); audited."""
    authz_service.require(scope, Permission.pipelines_manage)
    result = run(session)
    audit.record(session, scope, ENTITY, repo.MODEL_ID, "run", {"status": [None, result.status]})
    return result


def explain(session: Session, scope: Scope, opportunity_id: int) -> dict[str, Any]:
    """The computed probability of a visible opportunity with its factors labelled for the reader, and a note
    when there is none (closed, not trained yet, or too few closed opportunities)."""
    opportunity = service.get(session, scope, opportunity_id)
    model = settings(session)
    data = opportunity.computed_factors or {}
    factors = label_factors(session, data.get("factors") or [])
    note = None if opportunity.computed_probability is not None else _note(opportunity, model)
    trained = data.get("trained_at")
    return {
        "opportunity_id": opportunity.id,
        "computed_probability": opportunity.computed_probability,
        "trained_at": datetime.fromisoformat(trained) if trained else None,
        "size": data.get("size"),
        "won": data.get("won"),
        "lost": data.get("lost"),
        "factors": factors,
        "note": note,
    }


def _note(opportunity: Opportunity, model: ScoringModel) -> str:
    if opportunity.status != "open":
        return _("The computed probability is kept for open opportunities only.")
    if model.status == "insufficient":
        return _(
            "Not enough closed opportunities to learn from yet: %(n)s of the %(min)s needed, with at least one won "
            "and one lost.",
            n=model.closed_count,
            min=model.min_closed,
        )
    if model.status == "never":
        return _("Not computed yet: the model learns every night, or when an administrator recomputes it.")
    return _("Not computed yet: this opportunity is newer than the last training.")


# --- labels ---


def feature_label(key: str) -> str:
    return _(FEATURES[key]) if key in FEATURES else key


def _amount(text: str) -> str:
    value = Decimal(text)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def band_label(value: str) -> str:
    """ "-100000.00" → "< 100,000", "100000.00-1000000.00" → "100,000 – 1,000,000", "10000000.00-" → "≥ 10,000,000"."""
    low, _sep, high = str(value).partition("-")
    if low and high:
        return f"{_amount(low)} – {_amount(high)}"
    if high:
        return f"< {_amount(high)}"
    return f"≥ {_amount(low)}" if low else _("Any amount")


def _value_names(session: Session, key: str, values: set[Any]) -> dict[Any, str]:
    """Labels of the values of one feature in the reader's language."""
    from loam.customers.schemas import LEVELS, TIERS
    from loam.kit.choices import INDUSTRIES, SOURCES, label
    from loam.kit.i18n import pick
    from loam.opportunities import pipelines
    from loam.org import service as org_service

    options = {"industry": INDUSTRIES, "tier": TIERS, "level": LEVELS, "source": SOURCES}
    if key in options:
        return {v: label(options[key], v) for v in values}
    if key == "pipeline":
        return {p.id: pick(p.name_zh, p.name_en) for p in pipelines.list_pipelines(session)}
    if key == STAGES:
        return {s.id: pick(s.name_zh, s.name_en) for s in pipelines.all_stages(session).values()}
    if key == "department":
        return {d.id: d.name for d in org_service.list_departments(session)}
    if key == "owner":
        return org_service.names_by_id(session, {v for v in values if v is not None})
    if key == "amount_band":
        return {v: band_label(v) for v in values if v is not None}
    return {v: str(v) for v in values if v is not None}


def label_factors(session: Session, factors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored factors with ``feature_label`` and ``value_label`` added ("(empty)" for an empty field)."""
    wanted: dict[str, set[Any]] = {}
    for f in factors:
        wanted.setdefault(f["feature"], set()).add(f["value"])
    names = {key: _value_names(session, key, values) for key, values in wanted.items()}
    empty = _("(empty)")

    def value_label(f: dict[str, Any]) -> str:
        return empty if f["value"] is None else names[f["feature"]].get(f["value"], str(f["value"]))

    return [f | {"feature_label": feature_label(f["feature"]), "value_label": value_label(f)} for f in factors]
