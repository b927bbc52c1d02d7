#!/usr/bin/env node
// check-syntax: the syntax guard for launchevent.js. Classic Outlook's JavaScript-only runtime
// (builds before 2403) accepts ECMAScript 2016 only, and Microsoft's documentation forbids the
// conditional operator there: anything newer makes the handler time out or fail silently, and
// with SoftBlock that stops every mail. Usage: node test/check-syntax.mjs [file...]
// (default: launchevent.js beside this folder). Prints file:line:col problems, exits 1 on any.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import * as acorn from "acorn";
import * as walk from "acorn-walk";

const here = path.dirname(fileURLToPath(import.meta.url));
export const defaultFile = path.join(here, "..", "launchevent.js");

// checkSource returns the problems of one script: [{line, column, message}] (column 1-based).
export function checkSource(source) {
  let ast;
  try {
    ast = acorn.parse(source, { ecmaVersion: 2016, sourceType: "script", locations: true });
  } catch (err) {
    const loc = err.loc || { line: 0, column: 0 };
    return [{ line: loc.line, column: loc.column + 1, message: `not ECMAScript 2016: ${err.message.replace(/\s*\(\d+:\d+\)$/, "")}` }];
  }
  const problems = [];
  walk.full(ast, (node) => {
    if (node.type === "ConditionalExpression") {
      problems.push({
        line: node.loc.start.line,
        column: node.loc.start.column + 1,
        message: "conditional operator (?:) is not allowed in the classic Outlook runtime; use if/else",
      });
    }
  });
  return problems;
}

// checkFiles checks each file and returns the printed lines.
export function checkFiles(files) {
  const lines = [];
  for (const file of files) {
    let source;
    try {
      source = readFileSync(file, "utf8");
    } catch (err) {
      lines.push(`${file}:0:0: cannot read: ${err.code || err.message}`);
      continue;
    }
    for (const p of checkSource(source)) {
      lines.push(`${file}:${p.line}:${p.column}: ${p.message}`);
    }
  }
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  const lines = checkFiles(files.length > 0 ? files : [defaultFile]);
  for (const l of lines) {
    console.error(l);
  }
  process.exitCode = lines.length > 0 ? 1 : 0;
}
