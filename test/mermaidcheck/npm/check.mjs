// Parses Mermaid files with Mermaid's own parser: node check.mjs FILE...
// mermaid.parse needs a DOM for DOMPurify, which sanitises labels; jsdom is
// one. It exits 1 if any file fails to parse, or if the parser accepts a
// diagram it must refuse (so a broken setup cannot pass everything).
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

async function parses(text) {
  try {
    const r = await mermaid.parse(text);
    return r && r.diagramType === 'flowchart-v2' ? null : `not a flowchart: ${JSON.stringify(r)}`;
  } catch (e) {
    return e.message;
  }
}

let passed = 0;
let failed = 0;
if ((await parses('flowchart LR\n  a["x"] -->|"y"| \n')) === null) {
  console.error('self-test: the parser accepted a broken diagram; the check is not working');
  failed++;
}
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE.mmd...');
  process.exit(2);
}
for (const f of files) {
  const err = await parses(readFileSync(f, 'utf8'));
  if (err === null) {
    console.log(`ok   ${f}`);
    passed++;
  } else {
    console.log(`FAIL ${f}\n${err}`);
    failed++;
  }
}
console.log(`mermaid: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
