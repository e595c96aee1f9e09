"""A survey question's figures: averages and the net promoter score, and its chart's colours."""
from __future__ import annotations

from bot.charts import results_chart
from bot.services.survey_results import Distribution

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_net_promoter_score_is_promoters_minus_detractors_in_percent():
    assert Distribution().average is None and Distribution().net_promoter_score is None
    assert Distribution(4, {10: 2, 9: 2}).net_promoter_score == 100
    assert Distribution(4, {0: 1, 6: 1, 7: 1, 8: 1}).net_promoter_score == -50  # 7–8 are neither
    assert Distribution(4, {0: 1, 6: 1, 7: 1, 8: 1}).average == 21 / 4


def test_a_chart_may_colour_each_bar():
    arguments = {"question": "Suosittelisitko?", "labels": [str(n) for n in range(11)], "votes": list(range(11)),
                 "voters": 55, "axis_label": "Vastauksia (55 vastaajaa)", "locale": "fi"}
    banded = results_chart(**arguments, colours=["#D55E00"] * 7 + ["#E69F00"] * 2 + ["#009E73"] * 2)
    assert banded.startswith(PNG_SIGNATURE) and banded != results_chart(**arguments)
