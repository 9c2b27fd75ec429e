"""The task dependency graph (networkx): build, check, order, longest chain, export.

Nodes are task ids; an edge ``a → b`` means *b waits for a*. Each edge carries the
dependency's ``mode`` and ``lag``. Exports: plain text, Graphviz DOT, Mermaid and
JSON (node-link).
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from planflow.plan.errors import CycleError
from planflow.plan.model import Plan

__all__ = [
    "build_graph",
    "check_graph",
    "longest_chain",
    "to_dot",
    "to_json",
    "to_mermaid",
    "to_text",
    "topological_order",
]


def build_graph(plan: Plan) -> nx.DiGraph:
    """A directed graph of the plan's tasks: ``a → b`` when b waits for a."""
    graph = nx.DiGraph(plan=plan.id)
    for order, task in enumerate(plan.tasks):
        graph.add_node(task.id, ref=task.ref, title=task.title, lead=task.lead, order=order)
    for task, dep in plan.dependencies():
        if dep.task == task.id:
            continue  # "previous" self-dependency: occurrence n waits for n-1, not a cycle
        graph.add_edge(dep.task, task.id, mode=dep.mode.value, lag=str(dep.lag))
    return graph


def check_graph(graph: nx.DiGraph) -> None:
    """Raise :class:`CycleError` (with the cycle as a path) if tasks wait for each other."""
    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    raise CycleError([u for u, _ in edges] + [edges[0][0]])


def topological_order(plan: Plan) -> list[str]:
    """Task ids so that every task comes after what it waits for; ties in plan order."""
    graph = build_graph(plan)
    check_graph(graph)
    return list(nx.lexicographical_topological_sort(graph, key=lambda n: graph.nodes[n]["order"]))


def longest_chain(plan: Plan) -> list[str]:
    """The longest chain of dependent tasks (most tasks, each waiting for the one before)."""
    graph = build_graph(plan)
    check_graph(graph)
    if graph.number_of_edges() == 0:
        return [plan.tasks[0].id] if plan.tasks else []
    return list(nx.dag_longest_path(graph, topo_order=topological_order(plan)))


def to_text(plan: Plan) -> str:
    """One line per task in dependency order, with what it waits for, then the longest chain."""
    graph = build_graph(plan)
    lines = []
    for node in topological_order(plan):
        data = graph.nodes[node]
        ref = f" [{data['ref']}]" if data["ref"] else ""
        waits = [
            f"{u} ({graph.edges[u, node]['mode']}"
            + (
                f", {graph.edges[u, node]['lag']}"
                if graph.edges[u, node]["lag"] != "+0 days"
                else ""
            )
            + ")"
            for u in sorted(graph.predecessors(node), key=lambda n: graph.nodes[n]["order"])
        ]
        lines.append(f"{node}{ref} — {data['lead']}" + (f" ← {', '.join(waits)}" if waits else ""))
    chain = longest_chain(plan)
    lines.append("")
    lines.append(f"longest chain ({len(chain)} tasks): {' → '.join(chain)}")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(plan: Plan) -> str:
    """Graphviz DOT; labels carry the clause and the lead unit."""
    graph = build_graph(plan)
    lines = [f"digraph {_dot_quote(plan.id)} {{", "  rankdir=LR;", "  node [shape=box];"]
    for node, data in graph.nodes(data=True):
        label = "\n".join(x for x in (data["ref"], node, data["lead"]) if x)
        lines.append(f"  {_dot_quote(node)} [label={_dot_quote(label)}];")
    for u, v, data in graph.edges(data=True):
        label = data["mode"] + ("" if data["lag"] == "+0 days" else f" {data['lag']}")
        lines.append(f"  {_dot_quote(u)} -> {_dot_quote(v)} [label={_dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(plan: Plan) -> str:
    """A Mermaid flowchart (renders on GitHub and in many wikis)."""
    graph = build_graph(plan)
    ids = {node: f"t{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for node, data in graph.nodes(data=True):
        label = " ".join(x for x in (data["ref"], node) if x).replace('"', "#quot;")
        lines.append(f'  {ids[node]}["{label}"]')
    for u, v, data in graph.edges(data=True):
        lines.append(f"  {ids[u]} -->|{data['mode']}| {ids[v]}")
    return "\n".join(lines) + "\n"


def to_json(plan: Plan) -> str:
    """``{"nodes": [...], "edges": [...], "order": [...], "longest_chain": [...]}``."""
    graph = build_graph(plan)
    payload: dict[str, Any] = {
        "nodes": [
            {"id": n, **{k: v for k, v in d.items() if k != "order"}}
            for n, d in graph.nodes(data=True)
        ],
        "edges": [{"from": u, "to": v, **d} for u, v, d in graph.edges(data=True)],
        "order": topological_order(plan),
        "longest_chain": longest_chain(plan),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
