import { InvalidArgumentError, SourceError } from "../../errors.js";
import { MAPPABLE_FIELDS, type MappableField, type RawRecord } from "../movie.js";
import { readCsvRows } from "./csv.js";
import { readJsonObjects } from "./json.js";

/** `field -> column` as given by `--map title=Name,overview=Description`. */
export type ColumnMap = Partial<Record<MappableField, string>>;

/** Parses `title=Name,overview=Description,...`; unknown fields are an error naming them. */
export function parseColumnMap(spec: string): ColumnMap {
  const map: ColumnMap = {};
  for (const part of spec.split(",")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq <= 0 || eq === part.length - 1) throw new InvalidArgumentError("--map", `expected field=Column, got '${part.trim()}'`);
    const field = part.slice(0, eq).trim();
    const column = part.slice(eq + 1).trim();
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new InvalidArgumentError("--map", `unknown field '${field}' (fields: ${MAPPABLE_FIELDS.join(", ")})`);
    }
    map[field as MappableField] = column;
  }
  return map;
}

/** The columns a mapping needs but a header lacks; title and overview must always be mapped. */
export function checkMapping(file: string, map: ColumnMap, columns: string[]): void {
  for (const required of ["title", "overview"] as const) {
    if (!map[required]) throw new InvalidArgumentError("--map", `${file}: no column mapped to '${required}' (columns: ${columns.join(", ")})`);
  }
  for (const [field, column] of Object.entries(map)) {
    if (!columns.includes(column)) {
      throw new SourceError(file, `column '${column}' (mapped to ${field}) not found; columns are: ${columns.slice(0, 30).join(", ")}`);
    }
  }
}

function pick(map: ColumnMap, get: (column: string) => unknown, row: number): RawRecord {
  const fields: RawRecord["fields"] = {};
  for (const [field, column] of Object.entries(map) as [MappableField, string][]) {
    fields[field] = get(column) as RawRecord["fields"][MappableField];
  }
  // Without an id column, title + year is the most stable key a generic file offers.
  if (!map.id) fields.id = fields.title ? `${String(fields.title).trim()} (${fields.year ?? ""})` : `row ${row}`;
  return { row, fields };
}

export async function* readMappedCsv(file: string, map: ColumnMap, delimiter = ",", encoding?: string): AsyncGenerator<RawRecord> {
  for await (const { row, values } of readCsvRows(file, delimiter, encoding)) yield pick(map, (c) => values[c], row);
}

export async function* readMappedJson(file: string, map: ColumnMap, layout: "array" | "lines", encoding?: string): AsyncGenerator<RawRecord> {
  let checked = false;
  for await (const { row, value } of readJsonObjects(file, layout, encoding)) {
    if (!checked) {
      checkMapping(file, map, Object.keys(value));
      checked = true;
    }
    yield pick(map, (c) => value[c], row);
  }
}
