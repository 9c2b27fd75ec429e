"""Built-in notifiers, registered through the same hooks as installed plugins.

* ``console`` (:mod:`planflow.notifiers.console`): one line per reminder, due,
  overdue, late and missed occurrence, in Vietnamese and English, as the year runs;
* ``jsonl`` (:mod:`planflow.notifiers.jsonl`): one JSON line per event delivered.
"""

__all__: list[str] = []
