"""Cycles in a directed graph of ids: the one walk behind the task, group and successor
checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

__all__ = ["cycles"]


def cycles(
    edges: Mapping[str, Iterable[str]], order: Callable[[str], int] | None = None
) -> list[list[str]]:
    """One cycle through each knot of ``edges`` (nodes that reach each other), each as the
    closed path ``[x, …, x]`` from its first node; knots in the order of their first node.

    "First" is by ``order`` (by default, the order of ``edges``). The shared walk of the
    task, group and successor checks: strongly connected components, then one cycle from
    the first node of each, so linear in nodes plus edges (a chain of thousands of units
    stays cheap). ``order`` must rank every node, targets included (the default ranks
    only the keys: then every target must be a key); self-loops are left to the caller.
    """
    import networkx as nx  # only when a plan is checked: ``import planflow`` stays light

    rank = order or {node: i for i, node in enumerate(edges)}.__getitem__
    graph: nx.DiGraph = nx.DiGraph()
    for node in sorted(edges, key=rank):
        graph.add_node(node)
        graph.add_edges_from((node, child) for child in edges[node])
    knots = [k for k in nx.strongly_connected_components(graph) if len(k) > 1]
    out = []
    for first, knot in sorted(((min(k, key=rank), k) for k in knots), key=lambda f: rank(f[0])):
        # a depth-first walk from the knot's first node, in edge order, as networkx does it
        walked = nx.find_cycle(graph.subgraph(knot), source=first)
        out.append([u for u, _ in walked] + [walked[0][0]])
    return out
