// Where the Corefile comes from: the `coredns` ConfigMap through the Kubernetes API (watched, so a
// `kubectl edit configmap coredns` reaches the server at once), or a file (polled every reload
// interval, as CoreDNS's reload plugin polls its Corefile). Whether a change is applied is the
// server's call: only when the running Corefile has `reload`, as in CoreDNS.
import { readFileSync } from 'node:fs';
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { KubeObject } from '../../core/api/object.js';
import { KubeApiClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';

export interface CorefileSource {
  /** What this is, for logs: `ConfigMap kube-system/coredns` or `file /etc/coredns/Corefile`. */
  readonly description: string;
  /** The current text; waits (retrying) until there is one. */
  read(): Promise<string>;
  /** Calls onChange with every text that differs from the last one (starting from `initial`); returns a stop function. */
  watch(initial: string, onChange: (text: string) => void, pollMs: () => number): () => void;
}

export const COREFILE_KEY = 'Corefile';

export function fileCorefile(path: string): CorefileSource {
  return {
    description: `file ${path}`,
    async read() { return readFileSync(path, 'utf8'); },
    watch(initial, onChange, pollMs) {
      let last = initial;
      let timer: NodeJS.Timeout;
      const tick = () => {
        try {
          const text = readFileSync(path, 'utf8');
          if (text !== last) { last = text; onChange(text); }
        } catch { /* a file being replaced: next time */ }
        timer = setTimeout(tick, pollMs());
        timer.unref();
      };
      timer = setTimeout(tick, pollMs());
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

export function configMapCorefile(kc: KubeConfig, namespace: string, name: string, log: (line: string) => void = () => {}): CorefileSource {
  const core = kc.makeApiClient(CoreV1Api);
  const textOf = (cm: V1ConfigMap | undefined) => cm?.data?.[COREFILE_KEY];
  return {
    description: `ConfigMap ${namespace}/${name}`,
    async read() {
      for (let attempt = 0; ; attempt++) {
        try {
          const cm = await core.readNamespacedConfigMap({ namespace, name });
          const text = textOf(cm);
          if (text !== undefined) return text;
          log(`[ERROR] ConfigMap ${namespace}/${name} has no "${COREFILE_KEY}" key; add one (kubectl edit configmap ${name} -n ${namespace})`);
        } catch (e) {
          if (attempt % 10 === 0) log(`[ERROR] cannot read ConfigMap ${namespace}/${name} (${(e as Error).message}); retrying`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    watch(initial, onChange) {
      // The one informer, on this ConfigMap alone: resumed after a cut watch, relisted after 410.
      const inf = new Informer<KubeObject>(new KubeApiClient(kc), 'configmaps', {
        namespace, fieldSelector: `metadata.name=${name}`, log: (line) => log(`[ERROR] ConfigMap ${namespace}/${name}: ${line}`),
      });
      let last = initial;
      const seen = (o: KubeObject) => {
        const text = textOf(o as unknown as V1ConfigMap);
        if (text === undefined || text === last) return;
        last = text;
        onChange(text);
      };
      inf.on({ add: seen, update: (_old, o) => seen(o) });
      void inf.start();
      return () => inf.stop();
    },
  };
}
