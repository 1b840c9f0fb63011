// How commands end on an error: the message on stderr, prefixed with the command, and exit code 1.
export function fail(command: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`podnet ${command}: ${message}\n`);
  if (process.env.PODNET_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

/** Exits with a clear message unless running as root. */
export function needRoot(command: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail(command, new Error(`podnet ${command} needs root: it creates network namespaces, links and routes. Run it as root, e.g. sudo podnet ${command}`));
  }
}
