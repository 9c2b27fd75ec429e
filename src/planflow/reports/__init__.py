"""Built-in reporters, registered through the same hooks as installed plugins.

Each turns a closed reporting period (quarter, 6 months, 9 months, year) into
artifacts: ``markdown`` (:mod:`~planflow.reports.markdown`), ``csv``
(:mod:`~planflow.reports.csv_report`) and ``json`` (:mod:`~planflow.reports.json_report`),
all from the same figures (:func:`planflow.reports.summary.period_summary`).
"""

__all__: list[str] = []
