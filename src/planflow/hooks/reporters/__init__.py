"""Built-in reporters, registered through the same hooks as installed plugins.

Each turns a closed reporting period (quarter, 6 months, 9 months, year) into
artifacts: ``markdown`` (:mod:`~planflow.hooks.reporters.markdown`),
``csv`` (:mod:`~planflow.hooks.reporters.csv_report`) and
``json`` (:mod:`~planflow.hooks.reporters.json_report`),
all from the same figures (:func:`planflow.hooks.reporters.summary.period_summary`).
"""

__all__: list[str] = []
