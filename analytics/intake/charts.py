"""Plotly figures of the incoming-requests page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

CHANNEL_COLOURS = {"phone": "#2f6fb0", "email": "#e07b39", "portal": "#3a9d5d", "voicemail": "#8e6bb8",
                   "remote_session": "#c2a03a"}


def volume_figure(volume: pd.DataFrame) -> go.Figure:
    """Tickets opened per week, stacked by channel."""
    fig = go.Figure()
    for channel, colour in CHANNEL_COLOURS.items():
        part = volume[volume["channel"] == channel]
        if not part.empty:
            fig.add_bar(name=channel, x=part["week"].astype(str).tolist(), y=part["tickets"].tolist(),
                        marker_color=colour)
    fig.update_layout(barmode="stack", yaxis_title="tickets opened", xaxis_title="week",
                      margin=dict(t=30, b=10), height=340, legend_title_text="channel")
    return fig
