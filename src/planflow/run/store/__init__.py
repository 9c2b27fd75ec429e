"""The state store of a real year: SQLite by default, PostgreSQL for a province.

::

    from planflow.run.store import Store

    with Store.for_plan("examples/boy_2025/plan.yaml") as store:   # .planflow/state.db
        store.done("boy-2025")            # {(duty, index): CompletionRecord}

The store is part of the run layer: it knows plans only by id and events only as
``Event.to_dict()`` data, and imports nothing from hooks, feeds, jobs or the CLI.
See :mod:`planflow.run.store.schema` for the tables and
:mod:`planflow.run.store.connect` for URLs, locks and migrations.
"""

from planflow.run.store.connect import DEFAULT_FILE, StoreError, default_url
from planflow.run.store.records import CompletionRecord, Delivery, MeasurementRecord, RunRecord
from planflow.run.store.schema import SCHEMA_VERSION
from planflow.run.store.store import AlreadyDone, NotDone, Store

__all__ = [
    "DEFAULT_FILE",
    "SCHEMA_VERSION",
    "AlreadyDone",
    "CompletionRecord",
    "Delivery",
    "MeasurementRecord",
    "NotDone",
    "RunRecord",
    "Store",
    "StoreError",
    "default_url",
]
