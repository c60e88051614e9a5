"""Result reports: the official result as forms (PDF, CSV, JSON) and charts.

docs/spec/reports.md. From an official result
(``tohyo.record.official``), the manifest and, when the log is at hand, the
turnout over time, this package writes the 選挙録・開票録-style report in
Japanese and English (:mod:`.pdf`, WeasyPrint; docs/adr/0070), the CSV of
:mod:`.csvform`, the canonical ``official.json``, and the SVG charts of
:mod:`.charts` (matplotlib) that the PDF and the public results page show.
Nothing here imports the web or the database: the CLI makes reports from a
published record directory (:mod:`.files`), the results page from the service.
"""
