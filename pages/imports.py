"""Import tickets (administrators): upload, pick the source profile, preview, confirm, and earlier imports."""
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from analytics.imports import queries as reports
from analytics.imports.files import ImportFileError, peek_header
from analytics.imports.header import detect_profile
from analytics.imports.profiles import ProfileError, parse_profile, shipped_profiles
from analytics.imports.proposal import propose_mapping
from analytics.imports.service import import_file
from analytics.kernel.roles import PermissionDenied
from analytics.settings.queries import get_setting
from analytics.store.errors import DatabaseError
from ui.columns import IMPORT_ROWS, IMPORT_RUNS
from ui.session import current_actor, get_database
from ui.tables import show_table
from ui.text import literal

CUSTOM = "custom mapping (TOML file)"
UPLOAD_DIR = Path(tempfile.gettempdir()) / "vigie-uploads"
UPLOAD_KEEP_SECONDS = 24 * 3600


@st.cache_data(ttl=60, show_spinner=False)
def load_runs(_db, path):
    return reports.load_import_runs(_db)


@st.cache_data(ttl=60, show_spinner="Comparing verdicts…")
def load_verdicts(_db, path, source, as_of):
    return reports.verdict_comparison(_db, as_of=as_of, source=source)


def saved_upload(uploaded) -> Path:
    """The uploaded file on disk (one per upload), where the import reads it; day-old ones are removed."""
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    for old in UPLOAD_DIR.iterdir():
        if old.is_file() and time.time() - old.stat().st_mtime > UPLOAD_KEEP_SECONDS:
            old.unlink(missing_ok=True)
    target = UPLOAD_DIR / f"{uploaded.file_id}-{Path(uploaded.name).name}"
    if not target.exists():
        target.write_bytes(uploaded.getbuffer())
    return target


def chosen_profile(path: Path, file_id: str):
    """The profile picked (the detected one preselected for each new file), or None with a message shown."""
    profiles = shipped_profiles()
    detected = detect_profile(peek_header(path))
    options = list(profiles) + [CUSTOM]
    index = options.index(detected.name) if detected else len(options) - 1
    st.caption(f"Recognised from the header: **{literal(detected.title)}**." if detected else
               "No shipped profile recognises this header: pick one, or upload a mapping "
               "(below, a proposal to start from).")
    name = st.selectbox("Source profile", options, index=index, key=f"imports_profile_{file_id}",
                        format_func=lambda n: profiles[n].title if n in profiles else n)
    if name != CUSTOM:
        return profiles[name]
    mapping = st.file_uploader("Mapping (TOML)", type=["toml"], key="imports_mapping")
    with st.expander("Proposed mapping for this file"):
        proposal = propose_mapping(path)
        st.code(proposal, language="toml")
        st.download_button("Download the proposal", proposal, file_name=f"{path.stem}.toml", key="imports_proposal")
    if mapping is None:
        return None
    try:
        return parse_profile(mapping.getvalue().decode("utf-8-sig"), origin=mapping.name)
    except (ProfileError, UnicodeDecodeError) as exc:
        st.error(f"The mapping cannot be used: {literal(exc)}")
        return None


def show_warnings(warnings: list[str], *, preview: bool) -> None:
    """What in the mapping does not fit the file, each sentence as plain text."""
    if not warnings:
        return
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    st.warning(f"{count}: " + ("check the mapping before you confirm (`--strict` on the command line refuses such "
                               "an import)." if preview else "this import went through with them."))
    for warning in warnings:
        st.markdown(f"- {literal(warning)}")


def show_report(report, *, preview, tz: str) -> None:
    show_warnings(report.warnings, preview=preview is not None)
    cols = st.columns(5)
    cols[0].metric("Rows read", f"{report.read:,}")
    cols[1].metric("Accepted", f"{report.accepted:,}")
    cols[2].metric("Rejected", f"{report.rejected:,}")
    cols[3].metric("New tickets", f"{report.inserted:,}")
    cols[4].metric("Updated / unchanged", f"{report.updated:,} / {report.unchanged:,}")
    st.caption(f"Counts in = accepted + rejected: {report.read:,} = {report.accepted:,} + {report.rejected:,}."
               + (f" The accepted rows fold into {report.tickets:,} tickets." if report.tickets is not None else ""))
    if report.reasons:
        st.markdown("Rejected because: " + "; ".join(f"{n:,} × {literal(r)}" for r, n in sorted(report.reasons.items())))
    if report.contracts:
        st.markdown("Contracts this import sets: " + "; ".join(literal(c) for c in report.contracts))
    if preview is not None:
        st.write("Mapped tickets (first rows):")
        show_table(preview.tickets, key="imports_preview_tickets", tz=tz, columns=IMPORT_ROWS)
        if not preview.events.empty:
            st.write("Events folded from the updates (first rows):")
            show_table(preview.events, key="imports_preview_events", tz=tz, columns=IMPORT_ROWS)
        if not preview.disagreements.empty:
            st.write("Tickets on which the fold and the file's columns disagree (first rows):")
            show_table(preview.disagreements, key="imports_preview_disagreements", tz=tz, columns=IMPORT_ROWS)
        if not preview.rejections.empty:
            st.write("Rejected rows (first rows):")
            show_table(preview.rejections, key="imports_preview_rejects", tz=tz, columns=IMPORT_ROWS)


def new_import(db, actor) -> None:
    uploaded = st.file_uploader("Export file (CSV, TSV, .gz, .xlsx, Parquet, XES)", key="imports_file",
                                type=["csv", "tsv", "txt", "gz", "xlsx", "parquet", "xes"])
    if uploaded is None:
        st.info("Upload an export from ServiceNow, Jira Service Management, Zendesk, or any tool with a mapping.")
        return
    path = saved_upload(uploaded)
    try:
        profile = chosen_profile(path, uploaded.file_id)
    except ImportFileError as exc:
        st.error(literal(str(exc).replace(str(path), uploaded.name)))
        return
    if profile is None:
        return
    default_severity = int(get_setting(db, "sla.email_default_severity"))
    key = (uploaded.file_id, profile.name, profile.text)
    if st.button("Preview", key="imports_preview_button"):
        try:
            with st.spinner("Reading the file and checking every row…"):
                st.session_state["imports_preview"] = (key, import_file(
                    db, path, profile=profile, actor=actor, dry_run=True, default_severity=default_severity))
        except (ImportFileError, ProfileError, PermissionDenied, DatabaseError) as exc:
            st.error(literal(str(exc).replace(str(path), uploaded.name)))
            return
    stored = st.session_state.get("imports_preview")
    if not stored or stored[0] != key:
        st.caption("Preview first: nothing is written until you confirm.")
        return
    preview = stored[1]
    show_report(preview.report, preview=preview, tz=db.timezone)
    if st.button(f"Import {literal(uploaded.name)}", type="primary", key="imports_confirm"):
        bar = st.progress(0, text="starting")
        try:
            report = import_file(db, path, profile=profile, actor=actor, default_severity=default_severity,
                                 progress=lambda step, f: bar.progress(min(int(f * 100), 100), text=step))
        except (ImportFileError, ProfileError, PermissionDenied, DatabaseError) as exc:
            st.error(f"Nothing was imported: {literal(str(exc).replace(str(path), uploaded.name))}")
            return
        st.session_state.pop("imports_preview", None)
        st.cache_data.clear()
        st.success(f"Imported as import #{report.import_id}: {literal(report.summary())}")


def earlier_imports(db) -> None:
    runs = load_runs(db, str(db.path))
    if runs.empty:
        st.info("No import yet.")
        return
    show_table(runs, key="imports_runs", tz=db.timezone, columns=IMPORT_RUNS)
    labels = {int(r.id): f"#{r.id} · {r.file_name} · {r.source} · {r.finished_at:%d %b %Y %H:%M}"
              for r in runs.itertuples()}
    chosen = st.selectbox("Report of import", list(labels), format_func=labels.get, key="imports_run")
    run = reports.load_import_run(db, int(chosen))
    st.subheader(f"Import #{run['id']}: {literal(run['file_name'])}")
    st.markdown(f"{literal(run['profile_title'] or run['source'])}, by {literal(run['actor'])} "
                f"on {run['finished_at']:%d %b %Y %H:%M}; "
                f"{run['rows_read']:,} rows read = {run['accepted']:,} accepted + {run['rejected']:,} rejected.")
    show_warnings(run["warnings"], preview=False)
    if run["reasons"]:
        st.markdown("Rejected because: " + "; ".join(f"{n:,} × {literal(r)}" for r, n in sorted(run["reasons"].items())))
    rejections = reports.load_rejections(db, int(run["id"]))
    if not rejections.empty:
        show_table(rejections, key="imports_rejections", tz=db.timezone, columns=IMPORT_ROWS,
                   csv=f"import-{run['id']}-rejections.csv", csv_label="Download the rejections (CSV)")
    as_of = datetime.now(UTC).replace(second=0, microsecond=0)
    verdicts = load_verdicts(db, str(db.path), run["source"], as_of)
    if not verdicts.empty:
        share = reports.agreement_share(verdicts)
        st.subheader("The source's SLA verdict beside Vigie's")
        st.caption(f"Resolution verdicts of the {literal(run['source'])} tickets: the source's own made_sla against Vigie's "
                   f"targets and calendars" + (f"; they agree on {share:.0%} of decided tickets." if share else "."))
        st.plotly_chart(reports.verdict_figure(verdicts), width="stretch", key="imports_verdicts")
    with st.expander("Mapping used"):
        st.code(run["mapping"] or "", language="toml")


db = get_database()
actor = current_actor()
st.title("Import tickets")
if not actor.has_any("admin"):
    st.error("Only an administrator may import tickets.")
    st.stop()
new_tab, history_tab = st.tabs(["New import", "Earlier imports"])
with new_tab:
    new_import(db, actor)
with history_tab:
    earlier_imports(db)
