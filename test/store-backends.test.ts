/**
 * `--db` dispatch: a collection location names its backend by its URL scheme (a file path is
 * the embedded backend's), messages show it without credentials, and a new backend joins by
 * registering itself.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.js";
import { backendFor, displayLocation, registerBackend, registeredBackends, type Backend } from "../src/store/backends.js";
import { openStore } from "../src/store/open.js";
import { PostgresStore } from "../src/store/postgres/store.js";
import type { Store } from "../src/store/store.js";

test("postgres:// and postgresql:// URLs open the Postgres backend without connecting", async () => {
  for (const url of ["postgres://me:s3cret@127.0.0.1:1/movies?pool=2", "POSTGRESQL://me@db.example/movies"]) {
    assert.equal(backendFor(url).name, "postgres");
    const store = openStore(url);
    assert.ok(store instanceof PostgresStore);
    assert.equal(store.kind, "postgres");
    assert.ok(!store.location.includes("s3cret"), store.location);
    await store.close();
  }
});

test("a location shows without its password, whichever backend it names", () => {
  assert.equal(displayLocation("postgres://me:s3cret@db.example:5432/movies?pool=2"), "postgres://me:***@db.example:5432/movies?pool=2");
  assert.equal(displayLocation("postgres://me@db.example/movies"), "postgres://me@db.example/movies");
  assert.equal(displayLocation("mysql://me:s3cret@db.example/movies"), "mysql://me:***@db.example/movies", "an unknown scheme too");
});

test("an unknown scheme is a bad --db, naming the forms that are known", () => {
  assert.throws(
    () => backendFor("mysql://me@db.example/movies"),
    (e: Error) => e instanceof InvalidArgumentError && e.message.startsWith("--db: mysql:// is not a collection location") && e.message.includes("postgres://user@host:5432/db"),
  );
  assert.throws(() => openStore("postgres://me@db.example/movies?pool=none"), /pool: must be an integer from 1 to 1000, got 'none'/);
});

test("a new backend joins by registering its schemes; a scheme is claimed once", async () => {
  const opened: string[] = [];
  const fake: Backend = {
    name: "fake",
    schemes: ["fake"],
    example: "fake://host/collection",
    open: (location) => {
      opened.push(location);
      return { kind: "fake", location } as unknown as Store;
    },
    display: (location) => location.replace(/\/\/[^@]*@/, "//"),
  };
  registerBackend(fake);
  assert.ok(registeredBackends().includes(fake));
  assert.equal(openStore("fake://key@host/movies").kind, "fake");
  assert.deepEqual(opened, ["fake://key@host/movies"]);
  assert.equal(displayLocation("fake://key@host/movies"), "fake://host/movies");
  assert.throws(() => backendFor("mysql://x"), /give .*postgres:\/\/user@host:5432\/db.*fake:\/\/host\/collection/);
  assert.throws(() => registerBackend({ ...fake, name: "other", schemes: ["postgresql"] }), /postgres and other both claim postgresql/);
});
