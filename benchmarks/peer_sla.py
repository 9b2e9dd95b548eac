"""A peer of ``python -m analytics sla``: the same table computed by a user's script on the raw export.

    python benchmarks/peer_sla.py polars|pandas EXPORT_DIR --from DATE --to DATE --as-of TIMESTAMP

``EXPORT_DIR`` holds what a support organisation can export (written by ``benchmarks/bench.py``):
``tickets.parquet`` (id, severity, opened_at, first_response_at, resolved_at), ``targets.parquet``
(severity, measure, calendar, target seconds) and ``intervals.parquet`` (each calendar's working
intervals with the working seconds before them). The script applies the rules of DOMAIN.md
section 2 as Vigie does (working time by as-of joins on the intervals, a breach decided at its
deadline even while open) and prints the same CSV, so the benchmark compares them cell by cell.
It imports only its own library, as a user's script would.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

AT_RISK = 0.75
TZ = ZoneInfo("Europe/Paris")


def bounds(args) -> tuple[float, float, float]:
    start = datetime.combine(date.fromisoformat(args.from_), time(0), TZ).timestamp()
    end = datetime.combine(date.fromisoformat(args.to), time(0), TZ).timestamp()
    return start, end, datetime.fromisoformat(args.as_of).timestamp()


def with_polars(folder: Path, start: float, end: float, as_of: float) -> list[tuple]:
    import polars as pl

    tickets = pl.read_parquet(folder / "tickets.parquet").filter(pl.col("opened_s") <= as_of)
    targets = pl.read_parquet(folder / "targets.parquet")
    intervals = pl.read_parquet(folder / "intervals.parquet").sort("start_s")
    m = tickets.join(targets, on="severity").with_columns(
        m_end=pl.when(pl.col("measure") == "response").then(pl.coalesce("response_s", "resolved_s"))
        .otherwise(pl.col("resolved_s")))
    m = m.filter((pl.col("opened_s") < end) & (pl.col("m_end").is_null() | (pl.col("m_end") >= start)
                                               | (pl.col("m_end") > as_of)))
    m = m.with_columns(end_s=pl.when(pl.col("m_end") <= as_of).then(pl.col("m_end")))

    def worked(frame, at: str, name: str):  # working seconds accumulated at instant ``at`` on the calendar
        keyed = frame.with_columns(pl.col(at).fill_null(0.0).alias("_at")).sort("_at")
        joined = keyed.join_asof(intervals, left_on="_at", right_on="start_s", by="calendar_id", strategy="backward")
        value = pl.col("cum_start") + pl.min_horizontal(pl.col("_at") - pl.col("start_s_right"), pl.col("seconds"))
        return joined.with_columns(pl.when(pl.col(at).is_null()).then(None).otherwise(value).alias(name)) \
            .drop("_at", "start_s_right", "end_s_right", "seconds", "cum_start")

    business = m.filter(~pl.col("always_open"))
    business = worked(worked(business.rename({"opened_s": "start_s"}), "start_s", "w_start"), "end_s", "w_end")
    business = business.with_columns(w_deadline=pl.col("w_start") + pl.col("target_seconds")).sort("w_deadline")
    business = business.join_asof(intervals.rename({"start_s": "i_start"}), left_on="w_deadline",
                                  right_on="cum_start", by="calendar_id", strategy="backward",
                                  allow_exact_matches=False)
    business = business.with_columns(deadline_s=pl.col("i_start") + pl.col("w_deadline") - pl.col("cum_start"))
    always = m.filter(pl.col("always_open")).rename({"opened_s": "start_s"}).with_columns(
        w_start=pl.col("start_s"), w_end=pl.col("end_s"), deadline_s=pl.col("start_s") + pl.col("target_seconds"))
    columns = ["severity", "measure", "calendar_id", "target_seconds", "start_s", "end_s", "w_start", "w_end",
               "deadline_s"]
    m = pl.concat([business.select(columns), always.select(columns)])
    last = intervals.filter(pl.col("start_s") <= as_of).group_by("calendar_id").agg(
        (pl.col("cum_start") + pl.min_horizontal(as_of - pl.col("start_s"), pl.col("seconds"))).sort_by("start_s")
        .last().alias("w_as_of"))
    m = m.join(last, on="calendar_id")
    open_used = pl.col("w_as_of") - pl.col("w_start")
    state = (pl.when(pl.col("w_end").is_not_null())
             .then(pl.when(pl.col("w_end") - pl.col("w_start") <= pl.col("target_seconds"))
                   .then(pl.lit("met")).otherwise(pl.lit("breached")))
             .when(open_used > pl.col("target_seconds")).then(pl.lit("breached"))
             .when(open_used >= AT_RISK * pl.col("target_seconds")).then(pl.lit("at_risk"))
             .otherwise(pl.lit("pending")))
    m = m.with_columns(state=state)
    m = m.with_columns(decided_s=pl.when(pl.col("state") == "met").then(pl.col("end_s"))
                       .when(pl.col("state") == "breached").then(pl.col("deadline_s")))
    in_period = (pl.col("decided_s") >= start) & (pl.col("decided_s") < end)
    table = m.group_by("severity", "measure").agg(
        met=((pl.col("state") == "met") & in_period).sum(),
        breached=((pl.col("state") == "breached") & in_period).sum(),
        pending=(pl.col("state").is_in(["pending", "at_risk"]) & (pl.col("start_s") < end)).sum())
    rows = {(r["severity"], r["measure"]): r for r in table.iter_rows(named=True)}
    return grid(rows)


def with_pandas(folder: Path, start: float, end: float, as_of: float) -> list[tuple]:
    import numpy as np
    import pandas as pd

    tickets = pd.read_parquet(folder / "tickets.parquet")
    tickets = tickets[tickets["opened_s"] <= as_of]
    targets = pd.read_parquet(folder / "targets.parquet")
    intervals = pd.read_parquet(folder / "intervals.parquet").sort_values("start_s")
    m = tickets.merge(targets, on="severity")
    m["m_end"] = np.where(m["measure"] == "response", m["response_s"].fillna(m["resolved_s"]), m["resolved_s"])
    m = m[(m["opened_s"] < end) & (m["m_end"].isna() | (m["m_end"] >= start) | (m["m_end"] > as_of))].copy()
    m["end_s"] = m["m_end"].where(m["m_end"] <= as_of)

    def worked(frame, at: str) -> np.ndarray:
        keyed = frame[["calendar_id"]].assign(_at=frame[at].fillna(0.0).to_numpy(), _row=np.arange(len(frame)))
        joined = pd.merge_asof(keyed.sort_values("_at"), intervals, left_on="_at", right_on="start_s",
                               by="calendar_id", direction="backward").sort_values("_row")
        value = joined["cum_start"] + np.minimum(joined["_at"] - joined["start_s"], joined["seconds"])
        return np.where(frame[at].isna(), np.nan, value.to_numpy())

    business = m[~m["always_open"]].reset_index(drop=True)
    business["w_start"], business["w_end"] = worked(business, "opened_s"), worked(business, "end_s")
    business["w_deadline"] = business["w_start"] + business["target_seconds"]
    business["_row"] = np.arange(len(business))
    found = pd.merge_asof(business[["calendar_id", "w_deadline", "_row"]].sort_values("w_deadline"),
                          intervals.rename(columns={"start_s": "i_start"}), left_on="w_deadline",
                          right_on="cum_start", by="calendar_id", direction="backward",
                          allow_exact_matches=False).sort_values("_row")
    business["deadline_s"] = (found["i_start"] + found["w_deadline"] - found["cum_start"]).to_numpy()
    always = m[m["always_open"]].copy()
    always["w_start"], always["w_end"] = always["opened_s"], always["end_s"]
    always["deadline_s"] = always["opened_s"] + always["target_seconds"]
    m = pd.concat([business, always], ignore_index=True)
    open_iv = intervals[intervals["start_s"] <= as_of].groupby("calendar_id").last()
    w_as_of = open_iv["cum_start"] + np.minimum(as_of - open_iv["start_s"], open_iv["seconds"])
    m["w_as_of"] = m["calendar_id"].map(w_as_of)
    used = m["w_as_of"] - m["w_start"]
    ended = m["w_end"].notna()
    m["state"] = np.select(
        [ended & (m["w_end"] - m["w_start"] <= m["target_seconds"]), ended, used > m["target_seconds"],
         used >= AT_RISK * m["target_seconds"]], ["met", "breached", "breached", "at_risk"], "pending")
    m["decided_s"] = np.where(m["state"] == "met", m["end_s"], np.where(m["state"] == "breached", m["deadline_s"],
                                                                         np.nan))
    in_period = (m["decided_s"] >= start) & (m["decided_s"] < end)
    m = m.assign(met=(m["state"] == "met") & in_period, breached=(m["state"] == "breached") & in_period,
                 pending=m["state"].isin(["pending", "at_risk"]) & (m["opened_s"] < end))
    table = m.groupby(["severity", "measure"])[["met", "breached", "pending"]].sum()
    rows = {key: {"met": r.met, "breached": r.breached, "pending": r.pending} for key, r in table.iterrows()}
    return grid(rows)


def grid(found: dict) -> list[tuple]:
    """Every severity and measure, with its counts and compliance rounded as Vigie rounds (half away from zero)."""
    out = []
    for severity in (1, 2, 3, 4):
        for measure in ("response", "resolution"):
            row = found.get((severity, measure), {"met": 0, "breached": 0, "pending": 0})
            met, breached, pending = int(row["met"]), int(row["breached"]), int(row["pending"])
            pct = None if met + breached == 0 else _round1(100.0 * met / (met + breached))
            out.append((severity, measure, met, breached, pending, pct))
    return out


def _round1(value: float) -> float:
    return float(int(value * 10 + 0.5)) / 10  # positive values: half away from zero


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", choices=["polars", "pandas"])
    parser.add_argument("export", type=Path)
    parser.add_argument("--from", dest="from_", required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args()
    compute = with_polars if args.library == "polars" else with_pandas
    rows = compute(args.export, *bounds(args))
    print("severity,measure,met,breached,pending,compliance_pct")
    for row in rows:
        print(",".join("" if v is None else str(v) for v in row))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
