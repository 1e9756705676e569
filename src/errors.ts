/**
 * Errors a user can act on. The CLI prints `message` on one line and exits with `exitCode`;
 * the HTTP layer maps them to 4xx. Anything that is not a PlotlineError is a bug and is only
 * shown with a stack trace under --verbose.
 */
export class PlotlineError extends Error {
  /** Process exit code for the CLI (2 = bad usage or input). */
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlotlineError";
    this.exitCode = options.exitCode ?? 2;
  }
}

/** A bad argument or parameter: names the parameter. */
export class InvalidArgumentError extends PlotlineError {
  constructor(
    readonly parameter: string,
    detail: string,
  ) {
    super(`${parameter}: ${detail}`);
    this.name = "InvalidArgumentError";
  }
}

/**
 * Longest detail an error about a file carries, in characters (default 300): a parser's message
 * may quote the record it choked on, and a 50 MB line must still give a one-line error.
 */
export const MAX_ERROR_DETAIL = 300;

/** `detail` on one line and at most `MAX_ERROR_DETAIL` characters. */
export function oneLine(detail: string): string {
  const flat = detail.replace(/\s*[\r\n]+\s*/g, " ");
  return flat.length <= MAX_ERROR_DETAIL ? flat : `${flat.slice(0, MAX_ERROR_DETAIL - 1)}…`;
}

/** A source file that cannot be read or parsed: names the file (and row or field when known). */
export class SourceError extends PlotlineError {
  constructor(
    readonly file: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file}: ${oneLine(detail)}`, options);
    this.name = "SourceError";
  }
}

/** The collection cannot serve the request as asked (wrong embedder, missing, corrupt). */
export class CollectionError extends PlotlineError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(detail, options);
    this.name = "CollectionError";
  }
}

/**
 * The collection's backend cannot do what was asked (a capability it declares it lacks, see
 * `StoreCapabilities`): the request is valid, another backend or option would serve it.
 */
export class CapabilityError extends PlotlineError {
  constructor(
    readonly capability: string,
    detail: string,
  ) {
    super(detail);
    this.name = "CapabilityError";
  }
}
