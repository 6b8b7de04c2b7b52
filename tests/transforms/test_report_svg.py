"""The SVG primitives: escaping, wrapping, ticks, and the frame every chart shares."""

import xml.etree.ElementTree as ET

from transforms.report.svg import NARROW, WIDE, Chart, LegendItem, Stamp, nice_ticks, text_width, tick_decimals, wrap

STAMP = Stamp("Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z.", synthetic=False)


def test_text_is_escaped():
    chart = Chart(WIDE, STAMP, 'A <b>bold</b> & "quoted" title')
    chart.legend([LegendItem("x < y & z", "#000000")])
    image = chart.finish("desc with <tags> & more")
    root = ET.fromstring(image.svg)  # well-formed
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'A <b>bold</b> & "quoted" title'
    assert "&lt;b&gt;" in image.svg and "x &lt; y &amp; z" in image.svg


def test_wrap_keeps_words_whole_and_lines_narrow():
    text = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z. Licensed under CC BY 4.0."
    lines = wrap(text, 11, 328)
    assert " ".join(lines) == text and len(lines) == 2
    assert all(text_width(line, 11) <= 328 for line in lines)


def test_nice_ticks_cover_the_range_in_round_steps():
    assert nice_ticks(27.0) == [0, 10, 20, 30]
    assert nice_ticks(10.7, -3.8) == [-5, 0, 5, 10, 15]
    assert nice_ticks(4.64) == [0, 2, 4, 6]
    assert nice_ticks(0.9) == [0, 0.25, 0.5, 0.75, 1.0]
    assert (tick_decimals([0, 10, 20]), tick_decimals([0, 0.25, 0.5]), tick_decimals([0, 2.5, 5])) == (0, 2, 1)


def test_the_frame_carries_source_and_licence_and_marks_synthetic_data():
    plain = Chart(NARROW, STAMP, "Title").finish("d").svg
    assert "Licensed under CC BY 4.0." in plain and "SYNTHETIC" not in plain
    chart = Chart(NARROW, Stamp(STAMP.citation, synthetic=True), "Title")
    chart.plot_area(100)
    marked = chart.finish("d").svg
    assert marked.count("SYNTHETIC") == 3  # the badge, the watermark across the plot, the footer
