"""Building small workspaces for the tests: copies of the Bờ Y example, one per commune."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "boy_2025" / "plan.yaml"

WORKSPACE_FILE = """\
planflow-workspace: 1
name: "Tỉnh thử"
units:
  - id: sonv
    name: "Sở Nội vụ tỉnh"
"""


def example_data() -> dict[str, Any]:
    """The example plan as plain data."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def commune(number: int, *, shared: bool = True, drop_tasks: int = 0) -> str:
    """Commune ``number``'s plan text: the example with its own id; with ``shared`` the
    province's ``sonv`` coordinates ``report-bcd``; ``drop_tasks`` leaves out that many
    of the tasks no other task waits for (other than the reports)."""
    data = copy.deepcopy(example_data())
    data["plan"]["id"] = f"c{number:04d}-2025"
    data["plan"]["title"] = f"Kế hoạch xã số {number}"
    if shared:
        for task in data["tasks"]:
            if task["id"] == "report-bcd":
                task["coordinators"] = [*task.get("coordinators", []), "sonv"]
    if drop_tasks:
        needed = {d["task"] for t in data["tasks"] for d in t.get("after") or []}
        keep = [t for t in data["tasks"] if t["id"] in needed or t["id"].startswith("report")]
        others = [t for t in data["tasks"] if t not in keep]
        data["tasks"] = [t for t in data["tasks"] if t in keep or t in others[:-drop_tasks]]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write(root: Path, plans: dict[str, str], workspace_file: str | None = WORKSPACE_FILE) -> Path:
    """``root/<folder>/plan.yaml`` for each plan, and the workspace file."""
    root.mkdir(parents=True, exist_ok=True)
    if workspace_file is not None:
        (root / "planflow-workspace.yaml").write_text(workspace_file, encoding="utf-8")
    for folder, text in plans.items():
        (root / folder).mkdir(exist_ok=True)
        (root / folder / "plan.yaml").write_text(text, encoding="utf-8")
    return root
