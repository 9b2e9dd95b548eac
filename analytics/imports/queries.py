"""Earlier imports and what they did, and the source system's SLA verdict beside Vigie's.

Reads ``import_runs`` with ``import_run_details`` and ``import_rejections`` for the
Import page, and compares, for the tickets whose export carried the source's own
verdict (``tickets.source_made_sla``, e.g. ServiceNow's ``made_sla``), that verdict with
Vigie's resolution decision computed by the SLA engine.
"""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_of
from analytics.store.database import Database

AGREEMENT = {("met", "met"): "both met", ("breached", "breached"): "both breached",
             ("met", "breached"): "source met, Vigie breached", ("breached", "met"): "source breached, Vigie met"}
AGREEMENT_COLOURS = {"both met": "#2e7d32", "both breached": "#c62828", "source met, Vigie breached": "#ef6c00",
                     "source breached, Vigie met": "#6a1b9a", "Vigie: still open": "#9e9e9e"}


def load_import_runs(db: Database, *, limit: int = 200) -> pd.DataFrame:
    """The latest import runs with their counts, newest first."""
    return db.query(
        "SELECT r.id, r.finished_at, r.file_name, r.source, d.profile_title, r.actor, r.rows_read, "
        "coalesce(d.accepted, r.rows_read - r.rejected) AS accepted, r.rejected, "
        "coalesce(d.tickets, r.inserted + r.updated + r.unchanged) AS tickets, r.inserted, r.updated, r.unchanged, "
        "d.events, round(d.seconds, 1) AS seconds, d.file_format, d.encoding, d.delimiter "
        "FROM import_runs r LEFT JOIN import_run_details d ON d.import_id = r.id "
        "WHERE r.kind = 'tickets' ORDER BY r.id DESC LIMIT ?", [limit])


def load_import_run(db: Database, import_id: int) -> dict | None:
    """One run with its reasons (reason -> rows), its warnings (sentences) and the mapping it used."""
    frame = db.query("SELECT r.*, d.* EXCLUDE (import_id) FROM import_runs r "
                     "LEFT JOIN import_run_details d ON d.import_id = r.id WHERE r.id = ?", [import_id])
    if frame.empty:
        return None
    run = frame.iloc[0].to_dict()
    run["reasons"] = json.loads(run["reasons"]) if isinstance(run.get("reasons"), str) else {}
    run["warnings"] = json.loads(run["warnings"]) if isinstance(run.get("warnings"), str) else []
    return run


def load_rejections(db: Database, import_id: int, *, limit: int = 10_000) -> pd.DataFrame:
    """The rejected rows of a run: line, reason, the row as read."""
    return db.query("SELECT line, reason, raw FROM import_rejections WHERE import_id = ? ORDER BY line LIMIT ?",
                    [import_id, limit])


def verdict_comparison(db: Database, *, as_of: datetime, source: str | None = None) -> pd.DataFrame:
    """Per severity, tickets by (source verdict, Vigie's resolution state), with the agreement label."""
    ids = [r[0] for r in db.rows("SELECT id FROM tickets WHERE source_made_sla IS NOT NULL "
                                 "AND (? IS NULL OR source = ?)", [source, source])]
    columns = ["severity", "source_verdict", "vigie_state", "agreement", "tickets"]
    if not ids:
        return pd.DataFrame(columns=columns)
    measures = measures_of(db, TicketFilter(ticket_ids=tuple(ids)), as_of=as_of)
    resolution = measures[measures["measure"] == "resolution"].copy()
    resolution["source_verdict"] = resolution["source_made_sla"].map({True: "met", False: "breached"})
    resolution["vigie_state"] = resolution["state"]
    resolution["agreement"] = [AGREEMENT.get((s, v), "Vigie: still open")
                               for s, v in zip(resolution["source_verdict"], resolution["vigie_state"])]
    counted = (resolution.groupby(["severity", "source_verdict", "vigie_state", "agreement"], as_index=False)
               .size().rename(columns={"size": "tickets"}))
    return counted[columns].sort_values(["severity", "source_verdict", "vigie_state"]).reset_index(drop=True)


def verdict_figure(comparison: pd.DataFrame) -> go.Figure:
    """Stacked bars per severity: where the source's verdict and Vigie's agree and where they differ."""
    fig = go.Figure()
    for label, colour in AGREEMENT_COLOURS.items():
        part = comparison[comparison["agreement"] == label].groupby("severity", as_index=False)["tickets"].sum()
        if part.empty:
            continue
        fig.add_bar(name=label, x=[f"Severity {s}" for s in part["severity"]], y=part["tickets"],
                    marker_color=colour, text=part["tickets"], textposition="inside")
    fig.update_layout(barmode="stack", yaxis_title="tickets", margin=dict(t=30, b=10), height=340,
                      legend_title_text="resolution verdict")
    return fig


def agreement_share(comparison: pd.DataFrame) -> float | None:
    """Share (0-1) of decided tickets on which the source and Vigie agree."""
    decided = comparison[comparison["agreement"] != "Vigie: still open"]
    total = decided["tickets"].sum()
    if not total:
        return None
    agree = decided[decided["agreement"].isin(["both met", "both breached"])]["tickets"].sum()
    return float(agree / total)
