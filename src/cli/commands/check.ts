import { CollectionError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import { damagedCollection } from "../../store/open.js";
import type { CheckFinding } from "../../store/store.js";
import type { Command } from "../command.js";

export const checkCommand: Command = {
  name: "check",
  usage: "check [--quick]",
  summary: "Verify the collection: file integrity, text index, vectors against the movies, the saved index. Exit 0 when sound, 2 when damaged.",
  options: {
    quick: { type: "boolean", help: "SQLite's quick_check instead of the full integrity check (skips index contents)" },
  },
  examples: ["plotline check --db tmdb.db", "plotline check --json"],
  async run(ctx) {
    // Read-write: FTS5's integrity check is an INSERT command (it changes nothing).
    let plotline: Plotline | null = null;
    let findings: CheckFinding[];
    try {
      plotline = Plotline.open({ db: ctx.db });
      findings = await plotline.check({ quick: Boolean(ctx.values.quick) });
    } catch (err) {
      // Damage found while opening (the file's header, the schema) is the check's answer too.
      const damaged = damagedCollection(err, ctx.db) ?? err;
      if (!(damaged instanceof CollectionError) || !/ is damaged: /.test(damaged.message)) throw damaged;
      const detail = damaged.message.replace(/^.* is damaged: /, "").replace(/; run `plotline check.*$/, "");
      if (ctx.json) ctx.out(JSON.stringify({ db: ctx.db ?? null, ok: false, findings: [{ check: "open", ok: false, severity: "error", detail }] }));
      else ctx.out(`DAMAGED  ${"open".padEnd(12)} ${detail}`);
      throw damaged;
    } finally {
      await plotline?.close();
    }
    const damaged = findings.filter((f) => !f.ok && f.severity === "error");
    if (ctx.json) ctx.out(JSON.stringify({ db: plotline.store.location, ok: damaged.length === 0, findings }));
    else {
      for (const f of findings) ctx.out(`${f.ok ? "ok     " : f.severity === "error" ? "DAMAGED" : "warning"}  ${f.check.padEnd(12)} ${f.detail}`);
      ctx.out(damaged.length ? `${plotline.store.location}: damaged (${damaged.map((f) => f.check).join(", ")}); restore it from a copy, or ingest its files again into a new --db` : `${plotline.store.location}: sound`);
    }
    if (damaged.length && !ctx.json) throw new CollectionError(`the collection ${plotline.store.location} is damaged: ${damaged.map((f) => `${f.check}: ${f.detail}`).join("; ")}`);
    return damaged.length ? 2 : 0;
  },
};
