// CNI errors: the spec's error object ({code, msg, details}) printed on stdout with a non-zero exit.
// Codes 0-99 are the spec's; 8 and 999 come from the reference library (libcni/skel), whose
// messages we reuse where a runtime or a human may already know them.

export const ErrorCode = {
  IncompatibleCNIVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironmentVariables: 4,
  IOFailure: 5,
  DecodingFailure: 6,
  InvalidNetworkConfig: 7,
  InvalidNetNS: 8,
  TryAgainLater: 11,
  PluginNotAvailable: 50,
  LimitedConnectivity: 51,
  Internal: 999,
} as const;

export interface CniErrorObject {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

export class CniError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly details = '',
  ) {
    super(details ? `${msg}; ${details}` : msg);
    this.name = 'CniError';
  }

  /** The error object as the reference library prints it: empty details and cniVersion omitted. */
  toObject(cniVersion?: string): CniErrorObject {
    const o: CniErrorObject = { code: this.code, msg: this.msg };
    if (cniVersion) o.cniVersion = cniVersion;
    if (this.details) o.details = this.details;
    // Key order as in the spec: cniVersion first.
    return cniVersion ? { cniVersion, code: o.code, msg: o.msg, ...(o.details ? { details: o.details } : {}) } : o;
  }
}

/** Any thrown value as a CniError: plain errors become 999 with their message, as in the reference. */
export function asCniError(err: unknown): CniError {
  if (err instanceof CniError) return err;
  if (err instanceof Error) return new CniError(ErrorCode.Internal, err.message);
  return new CniError(ErrorCode.Internal, String(err));
}

/** JSON as Go's json.MarshalIndent(v, "", "    ") prints it (the reference plugins' output format). */
export function goJson(v: unknown): string {
  return JSON.stringify(v, null, 4);
}
