"""The warm chart renderer (analytics/kernel/renderer.py) on Debian's Chromium: a tab reloaded every
RELOAD_EVERY figures, not after each one as kaleido does, draws byte for byte the images of a tab reloaded
after each figure, whatever the order; and it does reload on that count. The same browser prints documents as
PDF with their CSS page rules, scripts off, and a browser that cannot print is replaced."""
from __future__ import annotations

import plotly.graph_objects as go
import pytest
from kaleido._kaleido_tab._tab import _KaleidoTab

from analytics.kernel import renderer as renderer_module
from analytics.kernel.renderer import ChartRenderer
from tests.browser_support import CHROMIUM

pytestmark = pytest.mark.browser  # Chromium, and nothing that depends on the date: not rerun per time zone

OPTIONS = dict(format="png", width=400, height=300, scale=1)


def figures() -> list[go.Figure]:
    """Four different charts: bars, a line, a stacked chart with a legend, a chart with a title and an annotation."""
    bars = go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2], text=["3", "1", "2"], textposition="outside"))
    line = go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[10, 12, 9, 14], mode="lines+markers"))
    stacked = go.Figure([go.Bar(name="met", x=["S1", "S2"], y=[80, 90]), go.Bar(name="breached", x=["S1", "S2"], y=[20, 10])])
    stacked.update_layout(barmode="stack")
    titled = go.Figure(go.Bar(x=[5, 7], y=["x", "y"], orientation="h"))
    titled.update_layout(title_text="Titled", annotations=[dict(text="note", x=6, y="x", showarrow=True)])
    return [bars, line, stacked, titled]


@pytest.fixture
def reloads(monkeypatch):
    """How many times a tab was reloaded (kaleido's own step, counted)."""
    counted = []
    original = _KaleidoTab.reload

    async def counting(tab):
        counted.append(tab)
        await original(tab)

    monkeypatch.setattr(_KaleidoTab, "reload", counting)
    return counted


def draw(reload_every: int, figs: list[go.Figure], monkeypatch, *, tabs: int = 1, rounds: int = 1) -> list[list[bytes]]:
    monkeypatch.setattr(renderer_module, "RELOAD_EVERY", reload_every)
    renderer = ChartRenderer(CHROMIUM, tabs=tabs)
    try:
        return [renderer.render(figs, [OPTIONS] * len(figs)) for _ in range(rounds)]
    finally:
        renderer.close()


def test_a_tab_kept_between_figures_draws_the_same_images_as_one_reloaded_after_each(reloads, monkeypatch):
    figs = figures()
    [reference] = draw(1, figs, monkeypatch)  # kaleido's own way: a reload after every figure
    assert all(isinstance(image, bytes) and image.startswith(b"\x89PNG") for image in reference)
    assert len(reloads) == len(figs)
    assert len(set(reference)) == len(figs)  # four different images: equality below is not trivial

    reloads.clear()
    [forward, again] = draw(1000, figs, monkeypatch, tabs=2, rounds=2)
    backward = draw(1000, figs[::-1], monkeypatch, tabs=2)[0][::-1]
    assert forward == reference and again == reference and backward == reference
    assert reloads == []


def test_a_tab_is_reloaded_every_reload_every_figures(reloads, monkeypatch):
    figs = figures()
    [first, second] = draw(3, figs + figs[:3], monkeypatch, rounds=2)  # one tab, 7 then 7 figures
    assert len(reloads) == 4  # after the 3rd, 6th, 9th and 12th figure
    assert first == second


def test_a_figure_that_fails_gives_its_error_and_the_next_call_gets_a_new_browser(reloads, monkeypatch):
    figs = figures()
    [reference] = draw(1000, figs[:1], monkeypatch)
    renderer = ChartRenderer(CHROMIUM)
    try:
        drawn, failed = renderer.render([figs[0], figs[0]], [OPTIONS, {**OPTIONS, "format": "nonsense"}])
        assert drawn == reference[0] and isinstance(failed, Exception)
        assert renderer._opened is None  # dropped: started again on the next call
        assert renderer.render(figs[:1], [OPTIONS]) == reference
    finally:
        renderer.close()


def test_figures_handed_over_one_by_one_are_drawn_as_a_list_of_them(monkeypatch):
    """``render_each`` takes the figures from a generator as it makes them (the monthly report builds each chart
    while the browser draws the one before): the same images, in the generator's order."""
    figs = figures()
    [reference] = draw(1000, figs, monkeypatch)
    made = []

    def one_by_one():
        for fig in figs:
            made.append(fig)
            yield fig, OPTIONS

    renderer = ChartRenderer(CHROMIUM)
    try:
        assert renderer.render_each(one_by_one()) == reference
        assert made == figs
        assert renderer.render_each(iter(())) == []
    finally:
        renderer.close()


def pdf_facts(pdf: bytes, tmp_path) -> tuple[str, str]:
    """The text (pdftotext -layout) and the metadata (pdfinfo) of a PDF."""
    import subprocess

    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return text, info


def test_a_document_is_printed_with_its_page_rules_and_without_running_its_scripts(tmp_path):
    """The browser that draws the charts prints a document as PDF: the page size, margin boxes and page counters of
    its CSS, in a tab of its own that is closed after; a script in the document does not run (a document is data)."""
    document = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Printed</title><style>
    @page { size: A5; margin: 15mm; @bottom-center { content: "Page " counter(page) " of " counter(pages); } }
    .next { break-before: page; }</style></head>
    <body><p id="t">First page &amp; &lt;text&gt;</p><p class="next">Second page</p>
    <script>document.getElementById("t").textContent = "rewritten by a script";</script></body></html>"""
    renderer = ChartRenderer(CHROMIUM)
    try:
        pdf = renderer.print_pdf(document)
        browser = renderer._browser()
        tabs_after = len(browser.tabs)
        renderer.print_pdf(document)
        assert len(browser.tabs) == tabs_after  # each print closes the tab it opened
    finally:
        renderer.close()
    text, info = pdf_facts(pdf, tmp_path)
    assert pdf.startswith(b"%PDF-")
    assert "Pages:           2" in info and "Title:           Printed" in info
    assert "pts (A5)" in info
    assert "First page & <text>" in text and "rewritten by a script" not in text
    pages = text.split("\f")
    assert "Page 1 of 2" in pages[0] and "Second page" in pages[1] and "Page 2 of 2" in pages[1]


def test_a_browser_that_cannot_print_says_so_and_the_next_print_gets_a_new_one(tmp_path):
    """A print that fails (here the browser is stopped under it) raises RenderError in words; the renderer drops
    that browser and the next print starts another."""
    import asyncio

    from analytics.kernel.renderer import RenderError

    renderer = ChartRenderer(CHROMIUM)
    try:
        broken = renderer._browser()
        asyncio.run_coroutine_threadsafe(broken.close(), renderer._loop).result(30)
        with pytest.raises(RenderError, match="^Chromium could not print the document: "):
            renderer.print_pdf("<p>x</p>")
        assert renderer._opened is None
        text, _ = pdf_facts(renderer.print_pdf("<p>printed by the next browser</p>"), tmp_path)
        assert "printed by the next browser" in text
    finally:
        renderer.close()
