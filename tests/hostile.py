"""Small hostile plans, shared by the hardening tests and the resource corpus.

Each builder returns the YAML text of a plan that a careless or hostile user could
write: a few kilobytes that once cost minutes, gigabytes or a traceback.
"""

from __future__ import annotations


def plan_text(
    *,
    year: int = 2025,
    rule: str = "FREQ=MONTHLY;BYMONTHDAY=15",
    units: str = '  - id: a\n    name: "Đơn vị A"\n',
    tasks: str | None = None,
    calendar: str = "",
    head: str = "",
) -> str:
    """A valid one-task plan, with parts replaced."""
    if tasks is None:
        tasks = (
            f'  - id: t\n    title: "Việc"\n    lead: a\n    window: {year}\n'
            f'    recurrence: "{rule}"\n'
        )
    return (
        f'{head}planflow: 1\nplan:\n  id: p\n  title: "Kế hoạch"\n  issuer: "UBND xã"\n'
        f"  year: {year}\n{calendar}units:\n{units}tasks:\n{tasks}"
    )


def merge_bomb(levels: int = 8, width: int = 10) -> str:
    """``<<: [*m, *m, …]`` nested ``levels`` deep: once 123 s for 2.3 KB."""
    lines = ['m0: &m0 {k0: "x", k1: "y"}']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*m{level - 1}"] * width)
        lines.append(f"m{level}: &m{level} {{<<: [{refs}], k{level + 1}: z}}")
    return "\n".join(lines) + "\n" + plan_text()


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """The "billion laughs": lists of aliases of lists of aliases."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n" + plan_text()


def nested_groups(depth: int = 40) -> str:
    """Each group lists the two groups below it: 2**depth paths, ``depth`` * 2 edges."""
    units = '  - id: a\n    name: "Đơn vị A"\n  - id: b\n    name: "Đơn vị B"\n'
    groups = '  - id: g0\n    name: "Nhóm 0"\n    members: [a, b]\n'
    groups += '  - id: h0\n    name: "Nhóm h0"\n    members: [b, a]\n'
    for level in range(1, depth + 1):
        below = f"[g{level - 1}, h{level - 1}]"
        groups += f'  - id: g{level}\n    name: "Nhóm {level}"\n    members: {below}\n'
        groups += f'  - id: h{level}\n    name: "Nhóm h{level}"\n    members: {below}\n'
    tasks = (
        f'  - id: t\n    title: "Việc"\n    lead: g{depth}\n    lead_mode: each\n'
        '    window: 2025\n    recurrence: "FREQ=MONTHLY;BYMONTHDAY=15"\n'
    )
    return plan_text(units=units, tasks=tasks).replace(
        "tasks:\n", "groups:\n" + groups + "tasks:\n"
    )


def group_cycle() -> str:
    """``a`` lists ``b`` and ``b`` lists ``a``: once accepted as OK."""
    groups = (
        '  - id: ga\n    name: "Nhóm A"\n    members: [a, gb]\n'
        '  - id: gb\n    name: "Nhóm B"\n    members: [ga]\n'
    )
    return plan_text().replace("tasks:\n", "groups:\n" + groups + "tasks:\n")


def many_members(count: int = 3000, rule: str = "FREQ=DAILY") -> str:
    """One group of ``count`` units leading a daily task each: once 50 s and 1.76 GB."""
    units = "".join(f'  - id: u{i}\n    name: "Đơn vị {i}"\n' for i in range(count))
    members = ", ".join(f"u{i}" for i in range(count))
    groups = f'  - id: all\n    name: "Tất cả"\n    members: [{members}]\n'
    tasks = (
        '  - id: t\n    title: "Việc"\n    lead: all\n    lead_mode: each\n'
        f'    window: 2025\n    recurrence: "{rule}"\n'
    )
    return plan_text(units=units, tasks=tasks).replace(
        "tasks:\n", "groups:\n" + groups + "tasks:\n"
    )


def many_tasks(count: int = 400, rule: str = "FREQ=DAILY") -> str:
    """Many daily tasks of one unit, each under the per-task limit."""
    tasks = "".join(
        f'  - id: t{i}\n    title: "Việc {i}"\n    lead: a\n    window: 2025\n'
        f'    recurrence: "{rule}"\n'
        for i in range(count)
    )
    return plan_text(tasks=tasks)
