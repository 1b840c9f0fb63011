// Nodes held in memory, shared by several overlay loops the way the API shares them: an annotation one
// loop publishes is seen by every other loop, as a watch event would deliver it. For kernel tests and
// the bench, where the API server is not what is being tested.
import type { OverlayNode } from '../../../../core/overlay/index.js';
import type { NodeSource } from '../node-source.js';

export class MemoryNodes {
  private readonly nodes = new Map<string, OverlayNode>();
  private readonly listeners = new Set<() => void>();

  constructor(initial: OverlayNode[] = []) {
    for (const n of initial) this.nodes.set(n.metadata!.name!, structuredClone(n));
  }

  /** Adds or replaces a Node, and tells every source. */
  put(node: OverlayNode): void {
    this.nodes.set(node.metadata!.name!, structuredClone(node));
    this.notify();
  }

  delete(name: string): void {
    this.nodes.delete(name);
    this.notify();
  }

  get(name: string): OverlayNode | undefined {
    const n = this.nodes.get(name);
    return n && structuredClone(n);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** A NodeSource for one agent's loop. */
  source(): NodeSource {
    let listener: (() => void) | undefined;
    return {
      start: async (onChange) => { listener = onChange; this.listeners.add(onChange); },
      list: () => [...this.nodes.values()],
      annotate: async (name, annotations) => {
        const n = this.nodes.get(name);
        if (!n) throw new Error(`node ${name} not found`);
        n.metadata = { ...n.metadata, annotations: { ...n.metadata?.annotations, ...annotations } };
        this.notify();
      },
      stop: async () => { if (listener) this.listeners.delete(listener); },
    };
  }
}
