"""Write a province (100 communes) or the nation (3,300) as a workspace of plan files.

The province's template (``template.yaml``) is the Bờ Y example
(``national.EXAMPLE``) with ``${n}`` where the commune's number goes, and the
province's Sở Nội vụ (a shared unit of the workspace file) coordinating the
commune's consolidated report (``report-bcd``). Each commune gets a small
``cNNNN/plan.yaml`` that extends it, as a province hands its template to its
communes (docs/plan-format.md, ``extends:``)::

    extends: ../template.yaml
    placeholders: {n: "0001"}

Every plan has its own id (``c0001-2025``), title and units.

    python bench/workspace_gen.py OUT --communes 100
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import EXAMPLE

SHARED_UNIT = {
    "id": "sonv",
    "name": "Sở Nội vụ tỉnh",
    "name_en": "Provincial Department of Home Affairs",
}


def _template() -> str:
    """The province template's YAML text, with ``${n}`` where the commune's number goes."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLE / "plan.yaml").read_text(encoding="utf-8"))
    for task in data["tasks"]:
        if task["id"] == "report-bcd":
            task["coordinators"] = [*task.get("coordinators", []), SHARED_UNIT["id"]]
    plan = data["plan"]
    plan["id"] = f"c${{n}}-{plan['year']}"
    plan["title"] = plan["title"].replace("xã Bờ Y", "xã số ${n}")
    plan["issuer"] = plan["issuer"].replace("xã Bờ Y", "xã số ${n}")
    plan["title_en"] = plan.get("title_en", "").replace("Bờ Y commune", "commune ${n}")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


def write_workspace(out: str | Path, communes: int, *, name: str = "Tỉnh mẫu") -> Path:
    """Write ``communes`` plans and the workspace file into ``out``; return ``out``."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    (root / "planflow-workspace.yaml").write_text(
        yaml.safe_dump(
            {"planflow-workspace": 1, "name": name, "units": [SHARED_UNIT]},
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    (root / "template.yaml").write_text(_template(), encoding="utf-8")
    for number in range(1, communes + 1):
        folder = root / f"c{number:04d}"
        folder.mkdir(exist_ok=True)
        text = f'extends: ../template.yaml\nplaceholders: {{n: "{number:04d}"}}\n'
        (folder / "plan.yaml").write_text(text, encoding="utf-8")
    return root


def main() -> None:
    """Write the workspace named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--communes", type=int, default=100)
    args = parser.parse_args()
    write_workspace(args.out, args.communes)
    print(f"{args.communes} plans written to {args.out}")


if __name__ == "__main__":
    main()
