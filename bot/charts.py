"""Pictures of results for staff: a ballot's counts, or a survey question's answers, as a PNG bar chart.

matplotlib is imported inside the function, the first time a chart is asked for, so a bot that
never draws one does not carry it in memory. Only the object-oriented API is used (a Figure on
an Agg canvas, no pyplot), so nothing global changes and charts may be drawn side by side.
"""
from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Sequence

from bot.i18n import format_count, format_share
from domain import share

# Okabe & Ito's palette, told apart with every common kind of colour blindness.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
TEXT_COLOUR = "#222222"
WIDTH_INCHES, ROW_INCHES, DPI = 8.0, 0.55, 100


def results_chart(question: str, labels: list[str], votes: list[int], voters: int, *,
                  axis_label: str, locale: str, colours: Sequence[str] | None = None) -> bytes:
    """A horizontal bar per option (first option on top), each with its count and its share of
    the voters written beside it; the question is the title. The same input gives the same bytes.

    `colours`: one per bar (default: the palette in turn, one colour per option).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = 1.6 + ROW_INCHES * max(len(labels), 1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    rows = range(len(labels))
    bars = axes.barh(list(rows), votes, height=0.7,
                     color=list(colours or (OKABE_ITO[row % len(OKABE_ITO)] for row in rows)))
    axes.bar_label(bars, labels=[_figures(count, voters, locale) for count in votes], padding=4,
                   color=TEXT_COLOUR, fontsize=10)
    axes.set_yticks(list(rows), [textwrap.fill(label, 28) for label in labels], fontsize=10,
                    parse_math=False)
    axes.invert_yaxis()
    axes.set_xlim(0, max([*votes, 1]) * 1.3)  # room for the figures beside the longest bar
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(axis_label, color=TEXT_COLOUR, parse_math=False)  # "$" is a dollar, not maths
    axes.set_title(textwrap.fill(question, 60), color=TEXT_COLOUR, fontsize=12, loc="left",
                   parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    output = io.BytesIO()
    with warnings.catch_warnings():  # a glyph the font lacks (an emoji) is drawn as a box
        warnings.simplefilter("ignore", UserWarning)
        figure.savefig(output, format="png", metadata={"Software": None})
    return output.getvalue()


def _figures(count: int, voters: int, locale: str) -> str:
    return f"{format_count(count, locale)} · {format_share(share(count, voters), locale)}"
