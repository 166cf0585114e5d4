/**
 * Nodes that name their parent, as a forest: each node is put among its parent's children (in the
 * order given), and those without a parent present are the roots. Departments and menus both use it.
 */
export function nestByParent<T extends { id: string; parentId: string | null; children: T[] }>(nodes: T[]): T[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const roots: T[] = [];
  for (const node of nodes) {
    const parent = node.parentId ? byId.get(node.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
