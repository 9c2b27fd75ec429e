"""A minimal planflow notifier: one line per reminder, with the units concerned."""

import planflow


class ShoutNotifier:
    name = "shout"
    description = "Print each reminder on stdout"
    settings = (planflow.Setting("prefix", default="NHẮC VIỆC", scope="run"),)

    def deliver(self, event, *, plan, units, settings):
        if event.kind == "reminder":
            names = ", ".join(unit.name for unit in units)
            print(f"{settings.run['prefix']} {event.due} {event.task}: {names}")


@planflow.hookimpl
def planflow_notifiers():
    return [ShoutNotifier()]
