"""What ``planflow plugins`` shows: every plugin with what it declares, and what was skipped."""

from __future__ import annotations

from typing import Any

from planflow.hooks.manager import DEFAULT_PLUGINS, PluginManager
from planflow.hooks.specs import Setting

__all__ = ["plugin_rows", "setting_row"]


def setting_row(setting: Setting) -> dict[str, Any]:
    """A setting (or model option) as JSON: name, type, required, scope, default, help."""
    return {
        "name": setting.name,
        "type": setting.type.__name__,
        "required": setting.required,
        "scope": setting.scope,
        "default": setting.default,
        "help": setting.help,
    }


def plugin_rows(pm: PluginManager) -> list[dict[str, Any]]:
    """Per plugin: name, version, hooks, and the notifiers, reporters and completion
    models it declares; then one row per skipped plugin (``"skipped": "error"``)."""
    notifiers = pm.notifiers()
    reporters = pm.reporters()
    models = pm.models()
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        hooks = sorted(
            caller.name for caller in pm.get_hookcallers(plugin) or () if caller.has_spec()
        )
        rows.append(
            {
                "name": name,
                "version": pm.version(name),
                "builtin": getattr(plugin, "__name__", "") == dict(DEFAULT_PLUGINS).get(name),
                "module": getattr(plugin, "__name__", type(plugin).__name__),
                "hooks": hooks,
                "notifiers": sorted(k for k, v in notifiers.items() if v.plugin == name),
                "reporters": sorted(k for k, v in reporters.items() if v.plugin == name),
                "models": sorted(k for k, v in models.items() if v.plugin == name),
                "skipped": None,
            }
        )
    for error in pm.skipped:
        rows.append(
            {
                "name": error.plugin,
                "version": "-",
                "builtin": False,
                "module": "",
                "hooks": [],
                "notifiers": [],
                "reporters": [],
                "models": [],
                "skipped": str(error),
            }
        )
    return rows
