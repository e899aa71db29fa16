"""Cycles in a directed graph (the derivation graph of a rulebook), found without recursion so
that a derivation chain thousands of rules long cannot exhaust the stack."""

from __future__ import annotations

from collections import deque


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Components of the graph that contain a cycle (Tarjan's algorithm, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        work: list[tuple[str, list[str], int]] = [(root, sorted(edges.get(root, ())), 0)]
        while work:
            v, succ, i = work[-1]
            if i < len(succ):
                work[-1] = (v, succ, i + 1)
                w = succ[i]
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, sorted(edges.get(w, ())), 0))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in edges.get(v, ()):
                    out.append(sorted(comp))
    return sorted(out)


def cycle_in(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """The shortest cycle through the component's first node, as a closed path [a, b, ..., a]."""
    start = component[0]
    members = set(component)
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for w in sorted(edges.get(node, ())):
            if w == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if w in members and w not in parent and w != start:
                parent[w] = node
                queue.append(w)
    return [start, start]  # pragma: no cover - a strongly connected component always closes
