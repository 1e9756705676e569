import { parseArgs, type ParseArgsConfig } from "node:util";
import { PlotlineError } from "../errors.js";
import { damagedCollection, registeredBackends } from "../store/open.js";
import { COMMANDS, type Command, type CommandContext } from "./commands.js";
import { interruptProgress } from "./progress.js";

const VERSION = "0.1.0";

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "plotline: search and recommend movies by meaning",
    "",
    "Usage: plotline <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    `Every command takes --db LOCATION (${dbForms()}; default: $PLOTLINE_DB or ./plotline.db), --json, --verbose, --help.`,
    "Run 'plotline <command> --help' for its options.",
  ].join("\n");
}

export function commandHelp(c: Command): string {
  const lines = [`Usage: plotline ${c.usage}`, "", c.summary, "", "Options:"];
  for (const [name, o] of Object.entries(c.options)) {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.arg ?? "VALUE"}` : ""}`;
    lines.push(`  ${flag.padEnd(30)} ${o.help}${o.default !== undefined ? ` (default: ${o.default})` : ""}`);
  }
  for (const [flag, help] of GLOBAL_HELP) lines.push(`      ${flag.padEnd(26)} ${help}`);
  if (c.examples?.length) lines.push("", "Examples:", ...c.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/** The forms a collection location takes, one per registered backend (store/backends.ts). */
function dbForms(): string {
  return registeredBackends()
    .map((b) => b.example)
    .join(" or ");
}

const GLOBAL_HELP: [string, string][] = [
  ["--db LOCATION", `the collection: ${dbForms()} (default: $PLOTLINE_DB or ./plotline.db)`],
  ["--json", "print machine-readable JSON on stdout"],
  ["--verbose", "show details, and stack traces on errors"],
  ["-h, --help", "show this help"],
];

const GLOBAL_OPTIONS: ParseArgsConfig["options"] = {
  db: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** The `--db` of the arguments (or PLOTLINE_DB), for messages about the collection. */
function dbOf(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === "--db" || a.startsWith("--db="));
  if (i < 0) return process.env.PLOTLINE_DB || undefined;
  return args[i]!.startsWith("--db=") ? args[i]!.slice(5) : args[i + 1];
}

/**
 * `-k -3` as `-k=-3`: node's parseArgs reads a value that starts with a dash as an option
 * ("argument is ambiguous"), while a negative number after a flag that takes a value is that
 * value; the option's range check then says what is allowed.
 */
function negativeValues(args: string[], options: ParseArgsConfig["options"]): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options ?? {})) {
    if (o.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 unexpected failure, 2 bad usage or input. */
export async function main(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  // A reader that stops early (`| head`, `| true`) closes the pipe: that ends the command
  // quietly, as it ends other Unix tools, instead of an EPIPE stack trace.
  if (!io.stdout) process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  const stderr = io.stderr ?? process.stderr;
  const verbose = argv.includes("--verbose");
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    stderr.write(`plotline: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(", ")}); see plotline --help\n`);
    return 2;
  }
  try {
    const options: ParseArgsConfig["options"] = { ...GLOBAL_OPTIONS };
    for (const [key, o] of Object.entries(command.options)) {
      options[key] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
    }
    let parsed;
    try {
      parsed = parseArgs({ args: negativeValues(rest, options), allowPositionals: true, options, strict: true });
    } catch (err) {
      throw new PlotlineError(`${command.name}: ${(err as Error).message.split("\n")[0]!.replace(/\. To specify a positional.*$/, "")}`);
    }
    if (parsed.values.help) {
      stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const ctx: CommandContext = {
      values: parsed.values as Record<string, string | boolean | string[] | undefined>,
      positionals: parsed.positionals,
      json: Boolean(parsed.values.json),
      verbose,
      db: parsed.values.db as string | undefined,
      out: (text) => stdout.write(text.endsWith("\n") ? text : `${text}\n`),
      notice: (text) => {
        interruptProgress();
        stderr.write(`plotline: ${text}\n`);
      },
    };
    return (await command.run(ctx)) ?? 0;
  } catch (caught) {
    // Damage met mid-command (a corrupt page read late) is the collection's error, not a bug.
    const err = damagedCollection(caught, dbOf(rest)) ?? caught;
    if (err instanceof PlotlineError) {
      stderr.write(`plotline: ${err.message}\n`);
      if (verbose && err.stack) stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    stderr.write(`plotline: unexpected error: ${e?.message ?? String(err)}${verbose ? "" : " (run with --verbose for details)"}\n`);
    if (verbose && e?.stack) stderr.write(`${e.stack}\n`);
    return 1;
  }
}

