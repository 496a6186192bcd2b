/**
 * Finds a cycle in dependsOn edges, returning it as a path that starts and
 * ends at the same id (a → b → a), or undefined. Iterative DFS, so deep
 * chains cannot overflow the stack.
 */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, "visiting");
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const deps = edges.get(frame.id) ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.id, "done");
        stack.pop();
        path.pop();
        continue;
      }
      const dep = deps[frame.next++]!;
      const seen = state.get(dep);
      if (seen === "visiting") return [...path.slice(path.indexOf(dep)), dep];
      if (seen === undefined) {
        state.set(dep, "visiting");
        stack.push({ id: dep, next: 0 });
        path.push(dep);
      }
    }
  }
  return undefined;
}
