"""A minimal planflow notifier: one line per reminder (on stderr), with the units concerned."""

import sys

import planflow


class ShoutNotifier:
    name = "shout"
    description = "Print each reminder on stderr"
    settings = (planflow.Setting("prefix", default="NHẮC VIỆC", scope="run"),)

    def deliver(self, event, *, plan, units, settings):
        if event.kind != "reminder":
            return planflow.Skipped("not a reminder")
        names = ", ".join(unit.name for unit in units)
        print(f"{settings.run['prefix']} {event.due} {event.task}: {names}", file=sys.stderr)
        return None


@planflow.hookimpl
def planflow_notifiers():
    return [ShoutNotifier()]
