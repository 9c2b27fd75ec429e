"""Built-in notifiers, registered through the same hooks as installed plugins.

* ``console`` (:mod:`planflow.hooks.notifiers.console`): one line per reminder, due,
  overdue, late and missed occurrence, in Vietnamese and English, as the year runs;
* ``jsonl`` (:mod:`planflow.hooks.notifiers.jsonl`): one JSON line per event delivered.
"""

__all__: list[str] = []
