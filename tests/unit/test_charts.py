"""A ballot's results as a PNG: a valid image, and the same bytes for the same results."""
from __future__ import annotations

import struct
import subprocess
import sys

from bot.charts import DPI, WIDTH_INCHES, results_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chart(**changes: object) -> bytes:
    arguments: dict = {
        "question": "Mikä teema otetaan foorumiin ensin?",
        "labels": ["Lisää penkkejä torille", "Kirjaston aukioloajat", "Pyörätiet kuntoon"],
        "votes": [12, 5, 0],
        "voters": 17,
        "axis_label": "Ääniä (17 äänestäjää)",
        "locale": "fi",
    }
    return results_chart(**(arguments | changes))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"  # the first chunk: width and height
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_as_wide_as_asked_and_taller_with_more_options():
    three = chart()
    assert three.startswith(PNG_SIGNATURE)
    width, height = png_size(three)
    assert width == WIDTH_INCHES * DPI
    twelve = chart(labels=[f"Vaihtoehto {n}" for n in range(12)], votes=list(range(12)), voters=66)
    assert png_size(twelve)[1] > height


def test_the_same_results_give_the_same_bytes():
    assert chart() == chart()
    assert chart() != chart(votes=[12, 5, 1])


def test_nobody_voted_a_glyph_the_font_lacks_and_dollar_signs_still_draw():
    assert chart(votes=[0, 0, 0], voters=0, question="Äänestys 🌲").startswith(PNG_SIGNATURE)
    priced = chart(question="Budget $5 or $10?", labels=["$5", "$10 $", "a_b^c"], axis_label="$")
    assert priced.startswith(PNG_SIGNATURE)


def test_matplotlib_is_not_imported_until_a_chart_is_drawn():
    # Checked in a fresh interpreter: importing the module must not load matplotlib.
    code = "import bot.charts, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
