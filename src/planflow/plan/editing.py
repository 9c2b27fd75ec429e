"""Adding a task to a plan file without touching anything else in it.

The new task is written by ruamel.yaml (which quotes what YAML needs quoted) and
put into the text right after the last task, indented like the tasks already
there. Every other byte of the file, comments and layout included, stays as it was.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from planflow.i18n import _
from planflow.plan.errors import PlanError

__all__ = ["append_task", "task_block"]


def task_block(task: dict[str, Any], dash_column: int, item_indent: int) -> str:
    """``task`` as a block-sequence item whose dash is at ``dash_column``."""
    yaml = YAML()
    yaml.indent(mapping=item_indent, sequence=item_indent, offset=0)
    yaml.width = 4096  # one line per value: titles are not folded
    item = CommentedMap()
    for key, value in task.items():
        if isinstance(value, list):
            seq = CommentedSeq(value)
            seq.fa.set_flow_style()
            item[key] = seq
        else:
            item[key] = value
    out = io.StringIO()
    yaml.dump([item], out)
    lines = out.getvalue().splitlines()
    return "".join(" " * dash_column + line + "\n" for line in lines)


def _top_level(line: str) -> bool:
    """A line opening a top-level key (a column-0 ``- item`` still belongs to the list)."""
    return bool(line.strip()) and not line[0].isspace() and not line.startswith(("#", "-"))


def append_task(text: str, task: dict[str, Any]) -> str:
    """``text`` with ``task`` added as the last item of its ``tasks:`` list.

    :raises PlanError: the file writes ``tasks:`` in flow style (``tasks: [...]``),
        which cannot take a block item; add the task by hand there.
    """
    yaml = YAML()
    data = yaml.load(text) if text.strip() else None
    lines = text.splitlines(keepends=True)
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if (
        isinstance(data, dict)
        and tasks is not None
        and (not isinstance(tasks, CommentedSeq) or tasks.fa.flow_style())
    ):
        raise PlanError(
            _("tasks: is written on one line ([...]); add-task appends to a block list"),
            hint=_("write each task as a '- id: …' block, or add this one by hand"),
        )
    if not isinstance(data, CommentedMap) or "tasks" not in data:
        prefix = text if not text or text.endswith("\n") else text + "\n"
        return prefix + "tasks:\n" + task_block(task, 2, 2)
    key_line = data.lc.key("tasks")[0]
    dash, indent = 2, 2
    if tasks:
        first_line, first_col = tasks.lc.item(0)
        dash = _dash_column(lines[first_line], first_col)
        indent = first_col - dash
    # the tasks block runs to the next top-level key; comments at column 0 just before
    # that key belong to it, so the new task goes after the last line of the last task
    end = len(lines)
    for number in range(key_line + 1, len(lines)):
        if _top_level(lines[number]):
            end = number
            break
    insert = key_line + 1
    for number in range(end - 1, key_line, -1):
        line = lines[number]
        if (line.strip() and not line.startswith("#")) or line.startswith("-"):
            insert = number + 1
            break
    before = "".join(lines[:insert])
    if before and not before.endswith("\n"):
        before += "\n"
    return before + task_block(task, dash, indent) + "".join(lines[insert:])


def _dash_column(line: str, item_column: int) -> int:
    """Column of the ``-`` opening the item whose content starts at ``item_column``."""
    match = re.match(r"(\s*)-", line)
    return len(match.group(1)) if match else max(item_column - 2, 0)
