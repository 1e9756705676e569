import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the stub received. */
export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  apiKey: string | undefined;
}

interface StubRecord {
  id: string;
  values: number[];
  metadata?: Record<string, unknown>;
}

export interface StubOptions {
  /** The index's name, dimension and metric (what `describeIndex` answers). */
  index: string;
  dimension: number;
  metric?: string;
  /** The API key accepted; any other gets 401. */
  apiKey: string;
}

/**
 * A local stand-in for Pinecone's control plane (`GET /indexes/:name`) and one serverless
 * index's data plane (upsert, fetch, fetch by metadata, list, query, delete, stats), answering
 * in the shapes of Pinecone's API reference (2025-04) as the official client parses them. It
 * records every request, keeps records per namespace in memory, ranks queries by cosine and
 * evaluates the metadata filter operators Plotline sends. `failUpsertsAfter` makes every
 * upsert after the n-th answer 503, as an outage would.
 */
export class PineconeStub {
  readonly requests: StubRequest[] = [];
  readonly namespaces = new Map<string, Map<string, StubRecord>>();
  failUpsertsAfter: number | null = null;
  private upserts = 0;
  private server: Server | null = null;
  url = "";

  constructor(private readonly options: StubOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "INTERNAL", message: String(err) } }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Requests to one path (e.g. `/vectors/upsert`). */
  calls(path: string): StubRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  namespace(name: string): Map<string, StubRecord> {
    let ns = this.namespaces.get(name);
    if (!ns) this.namespaces.set(name, (ns = new Map()));
    return ns;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    const apiKey = req.headers["api-key"] as string | undefined;
    this.requests.push({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, apiKey });
    if (apiKey !== this.options.apiKey) return { status: 401, body: { error: { code: "UNAUTHENTICATED", message: "Invalid API Key" }, status: 401 } };
    const ns = (name: unknown) => this.namespace(typeof name === "string" ? name : "");
    const path = url.pathname;
    if (req.method === "GET" && path.startsWith("/indexes/")) {
      const name = decodeURIComponent(path.slice("/indexes/".length));
      if (name !== this.options.index) return { status: 404, body: { error: { code: "NOT_FOUND", message: `Resource ${name} not found` }, status: 404 } };
      return {
        status: 200,
        body: {
          name,
          dimension: this.options.dimension,
          metric: this.options.metric ?? "cosine",
          host: this.url,
          deletion_protection: "disabled",
          spec: { serverless: { cloud: "aws", region: "us-east-1" } },
          status: { ready: true, state: "Ready" },
          vector_type: "dense",
        },
      };
    }
    if (req.method === "POST" && path === "/vectors/upsert") {
      // Plotline's own bookkeeping (the manifest record's namespace) is not what an outage test counts.
      const bookkeeping = String(body?.namespace ?? "").endsWith("__plotline");
      if (!bookkeeping) this.upserts++;
      if (!bookkeeping && this.failUpsertsAfter !== null && this.upserts > this.failUpsertsAfter) return { status: 503, body: { error: { code: "UNAVAILABLE", message: "Service Unavailable" } } };
      const vectors = (body?.vectors ?? []) as StubRecord[];
      const target = ns(body?.namespace);
      for (const v of vectors) target.set(v.id, { id: v.id, values: v.values, ...(v.metadata ? { metadata: v.metadata } : {}) });
      return { status: 200, body: { upsertedCount: vectors.length } };
    }
    if (req.method === "GET" && path === "/vectors/fetch") {
      const target = ns(url.searchParams.get("namespace") ?? "");
      const vectors: Record<string, StubRecord> = {};
      for (const id of url.searchParams.getAll("ids")) {
        const r = target.get(id);
        if (r) vectors[id] = r;
      }
      return { status: 200, body: { vectors, namespace: url.searchParams.get("namespace") ?? "", usage: { readUnits: 1 } } };
    }
    if (req.method === "POST" && path === "/vectors/fetch_by_metadata") {
      const target = ns(body?.namespace);
      const matching = [...target.values()].filter((r) => matches(r.metadata ?? {}, body?.filter as Record<string, unknown>)).sort((a, b) => (a.id < b.id ? -1 : 1));
      const start = Number(body?.paginationToken ?? 0);
      const limit = Number(body?.limit ?? 100);
      const page = matching.slice(start, start + limit);
      const vectors: Record<string, StubRecord> = {};
      for (const r of page) vectors[r.id] = r;
      return { status: 200, body: { vectors, namespace: body?.namespace ?? "", ...(start + limit < matching.length ? { pagination: { next: String(start + limit) } } : {}), usage: { readUnits: 1 } } };
    }
    if (req.method === "GET" && path === "/vectors/list") {
      const target = ns(url.searchParams.get("namespace") ?? "");
      const ids = [...target.keys()].filter((id) => id.startsWith(url.searchParams.get("prefix") ?? "")).sort();
      const start = Number(url.searchParams.get("paginationToken") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const page = ids.slice(start, start + limit);
      return { status: 200, body: { vectors: page.map((id) => ({ id })), namespace: url.searchParams.get("namespace") ?? "", ...(start + limit < ids.length ? { pagination: { next: String(start + limit) } } : {}), usage: { readUnits: 1 } } };
    }
    if (req.method === "POST" && path === "/query") {
      const target = ns(body?.namespace);
      const q = typeof body?.id === "string" ? target.get(body.id)?.values : (body?.vector as number[] | undefined);
      if (!q) return { status: 400, body: { error: { code: "INVALID_ARGUMENT", message: "No query vector" } } };
      const scored = [...target.values()]
        .filter((r) => matches(r.metadata ?? {}, body?.filter as Record<string, unknown> | undefined))
        .map((r) => ({ r, score: cosine(q, r.values) }))
        .sort((a, b) => b.score - a.score || (a.r.id < b.r.id ? -1 : 1))
        .slice(0, Number(body?.topK ?? 10));
      return {
        status: 200,
        body: {
          matches: scored.map(({ r, score }) => ({ id: r.id, score, ...(body?.includeValues ? { values: r.values } : {}), ...(body?.includeMetadata && r.metadata ? { metadata: r.metadata } : {}) })),
          namespace: body?.namespace ?? "",
          usage: { readUnits: 5 },
        },
      };
    }
    if (req.method === "POST" && path === "/vectors/delete") {
      const target = ns(body?.namespace);
      if (body?.deleteAll) target.clear();
      for (const id of (body?.ids ?? []) as string[]) target.delete(id);
      return { status: 200, body: {} };
    }
    if (req.method === "POST" && path === "/describe_index_stats") {
      const namespaces: Record<string, { vectorCount: number }> = {};
      for (const [name, m] of this.namespaces) namespaces[name] = { vectorCount: m.size };
      return { status: 200, body: { namespaces, dimension: this.options.dimension, indexFullness: 0, totalVectorCount: [...this.namespaces.values()].reduce((n, m) => n + m.size, 0) } };
    }
    return { status: 404, body: { error: { code: "NOT_FOUND", message: `${req.method} ${path}` } } };
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Pinecone's metadata filter language, as documented: `$and`, `$or`, and the field operators. */
function matches(md: Record<string, unknown>, filter: Record<string, unknown> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, cond]) => {
    if (key === "$and") return (cond as Record<string, unknown>[]).every((f) => matches(md, f));
    if (key === "$or") return (cond as Record<string, unknown>[]).some((f) => matches(md, f));
    const v = md[key];
    const ops = typeof cond === "object" && cond !== null && !Array.isArray(cond) ? (cond as Record<string, unknown>) : { $eq: cond };
    return Object.entries(ops).every(([op, x]) => {
      const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
      switch (op) {
        case "$eq":
          return values.includes(x);
        case "$ne":
          return v !== undefined && !values.includes(x);
        case "$in":
          return values.some((y) => (x as unknown[]).includes(y));
        case "$nin":
          return !values.some((y) => (x as unknown[]).includes(y));
        case "$gt":
          return typeof v === "number" && v > (x as number);
        case "$gte":
          return typeof v === "number" && v >= (x as number);
        case "$lt":
          return typeof v === "number" && v < (x as number);
        case "$lte":
          return typeof v === "number" && v <= (x as number);
        case "$exists":
          return (v !== undefined) === x;
        default:
          throw new Error(`unsupported operator ${op}`);
      }
    });
  });
}
