// The syntax guard: launchevent.js passes it, and it rejects what classic Outlook's
// JavaScript-only runtime cannot run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkSource } from "./check-syntax.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, "check-syntax.mjs");
const run = (...files) => spawnSync(process.execPath, [cli, ...files], { encoding: "utf8" });

test("launchevent.js is ECMAScript 2016 without the conditional operator", () => {
  const r = run();
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
});

const rejected = {
  "async function": "async function f() { await g(); }",
  "await in an arrow": "var f = async () => 1;",
  "conditional operator": "var a = b ? c : d;",
  "nested conditional": "function f(x) { return [x ? 1 : 2]; }",
  "optional chaining": "var y = x?.y;",
  "nullish coalescing": "var y = x ?? 1;",
  "import": 'import x from "y";',
  "export": "export var x = 1;",
  "object spread": "var o2 = {...o};",
  "object rest": "var {a, ...rest} = o;",
  "trailing comma in parameters": "function f(a, b,) {}",
  "named regexp group": "var r = /(?<year>\\d{4})/;",
  "regexp lookbehind": "var r = /(?<=a)b/;",
  "regexp dotAll flag": "var r = /a.b/s;",
  "for await": "async function f() { for await (const x of y) {} }",
  "class fields": "class A { x = 1; }",
};
for (const [name, src] of Object.entries(rejected)) {
  test(`rejects ${name}`, () => {
    const problems = checkSource(src);
    assert.ok(problems.length > 0, `${name} must be rejected`);
    assert.ok(problems[0].line >= 1);
  });
}

const accepted = {
  "let, const, arrows and template literals": "const f = (a) => `${a}`; let b = 2 ** 3;",
  "promises": "new Promise(function (r) { r(1); }).then(function (v) { return v; });",
  "classes and destructuring": "class A { m() { var {a, b} = this; return [a, b]; } }",
  "trailing comma in literals": "var o = {a: 1,}; var l = [1, 2,];",
};
for (const [name, src] of Object.entries(accepted)) {
  test(`accepts ${name}`, () => {
    assert.deepEqual(checkSource(src), []);
  });
}

test("the CLI prints file:line:col and exits 1", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sendevagt-syntax-"));
  try {
    const bad = path.join(dir, "bad.js");
    writeFileSync(bad, "var ok = 1;\nvar a = ok ? 1 : 2;\n");
    const good = path.join(dir, "good.js");
    writeFileSync(good, "var ok = 1;\n");
    let r = run(good, bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:9: conditional operator`, "m"));
    assert.ok(!r.stderr.includes(good));
    writeFileSync(bad, "var ok = 1;\nasync function f() {}\n");
    r = run(bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.js:2:\d+: not ECMAScript 2016/);
    r = run(good);
    assert.equal(r.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
