// How bring-up and teardown report what they do; the CLI decides how it looks (TTY or plain lines).
export interface Progress {
  /** Runs one named step and reports it done (with its duration) or failed. */
  step<T>(title: string, run: () => Promise<T>): Promise<T>;
  /** A line of information between steps. */
  note(line: string): void;
}

/** A Progress that says nothing, for callers that only want the result. */
export const silentProgress: Progress = {
  step: (_title, run) => run(),
  note: () => {},
};
