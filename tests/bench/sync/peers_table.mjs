// The peers' half of the Eg-walker paper's table (tests/bench/sync/run.sh table): for each trace (S1
// automerge-paper, C1 friendsforever, C2 clownschool, A1 node_nodecc, A2 git-makefile) and each peer
// (Yjs, Loro, Automerge, diamond-types), the time to merge the whole encoded history into an empty
// document, the memory of the loaded document and the encoded sizes.
//
// Replaying a trace is slow for some peers (Yjs > 10 min on node_nodecc with one replica per author), and
// it is not what is measured: each trace is converted ONCE per library into that library's encoded
// document, cached under CACHE_DIR (default ./cache) keyed by the trace file's SHA-256 and the library's
// version; later runs only load. The conversion replays the trace as the authors made it: every
// transaction runs on a document holding exactly its parents' history, authored by its agent (a copy of
// a parent's document when it is still needed elsewhere, with the missing transactions merged in).
//
// Run from the folder holding the peers' node_modules (run.sh copies this file to build/release/peers):
//   node peers_table.mjs                       # convert what is missing, then RUNS=5 fresh processes per cell
//   node peers_table.mjs convert LIB TRACE     # one conversion (prints its time)
//   node --expose-gc peers_table.mjs measure LIB TRACE   # one measurement, one JSON line
// Environment: TRACE_DIR (traces), CACHE_DIR, RUNS, LIBS (yjs,loro,automerge,dt), TRACES (file names),
// PROGRESS=1 (a conversion prints every 100th transaction on stderr).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import * as Y from 'yjs'
import * as A from '@automerge/automerge'
import { LoroDoc } from 'loro-crdt'

const require = createRequire(import.meta.url)
const dt = require('diamond-types-node')
const DATA = process.env.TRACE_DIR || new URL('../../data/traces', import.meta.url).pathname
const CACHE = process.env.CACHE_DIR || 'cache'
const now = () => performance.now()
const gc = () => { if (global.gc) { global.gc(); global.gc() } }
// diamond-types orders concurrent inserts at one place by agent NAME: zero-padded so that name order is
// the trace's agent order (the trace numbers agents in the name order of the editor that made it).
const dtAgent = (id) => `agent${String(id).padStart(6, '0')}`
const hexActor = (id) => (id + 1).toString(16).padStart(32, '0')
const pkgVersion = (name) => JSON.parse(fs.readFileSync(new URL(`node_modules/${name}/package.json`, import.meta.url), 'utf8')).version

export const TRACES = ['automerge-paper.json.gz', 'friendsforever.json.gz', 'clownschool.json.gz',
  'node_nodecc.json.gz', 'git-makefile.json.gz']

// Each adapter: make(agent) an empty document; fork(r, agent) a copy authored by agent; retag(r, agent)
// changes the author in place when the library allows it (else false); edit(r, patches) one transaction;
// version/delta/apply for merging transactions; encode(r) -> {name: bytes} with `merge` the encoding that
// is loaded, `withDeleted` / `withoutDeleted` the size columns; load(bytes) -> {doc, text}.
const adapters = {
  yjs: {
    pkg: 'yjs',
    make(agent) { const doc = new Y.Doc(); doc.clientID = agent + 1; return { doc, agent } },
    fork(r, agent) { const f = this.make(agent); Y.applyUpdate(f.doc, Y.encodeStateAsUpdate(r.doc)); return f },
    retag(r, agent) { r.doc.clientID = agent + 1; r.agent = agent; return true },
    edit(r, patches) {
      const t = r.doc.getText('text')
      r.doc.transact(() => { for (const [pos, del, ins] of patches) { if (del > 0) t.delete(pos, del); if (ins.length) t.insert(pos, ins) } })
    },
    version: (r) => Y.encodeStateVector(r.doc),
    delta: (r, v) => Y.encodeStateAsUpdate(r.doc, v),
    apply: (r, u) => Y.applyUpdate(r.doc, u),
    text: (r) => r.doc.getText('text').toString(),
    // Yjs drops deleted text (gc): its updates are the "without deleted text" column.
    encode: (r) => ({ merge: Y.encodeStateAsUpdate(r.doc), withoutDeleted: Y.encodeStateAsUpdate(r.doc), v2: Y.encodeStateAsUpdateV2(r.doc) }),
    load(bytes) { const doc = new Y.Doc(); Y.applyUpdate(doc, bytes); return { doc, text: doc.getText('text').toString() } },
  },
  loro: {
    pkg: 'loro-crdt',
    make(agent) { const doc = new LoroDoc(); doc.setPeerId(agent + 1); return { doc, agent } },
    fork(r, agent) { const doc = r.doc.fork(); doc.setPeerId(agent + 1); return { doc, agent } },
    retag(r, agent) { r.doc.setPeerId(agent + 1); r.agent = agent; return true },
    edit(r, patches) {
      const t = r.doc.getText('text')
      for (const [pos, del, ins] of patches) { if (del > 0) t.delete(pos, del); if (ins.length) t.insert(pos, ins) }
      r.doc.commit()
    },
    version: (r) => r.doc.oplogVersion(),
    delta: (r, v) => r.doc.export({ mode: 'update', from: v }),
    apply: (r, u) => r.doc.import(u),
    text: (r) => r.doc.getText('text').toString(),
    // The update holds every op with its inserted text (deleted too). Loro has no history without deleted
    // text; its shallow snapshot is the state alone (no history to merge against), printed apart.
    encode: (r) => {
      const update = r.doc.export({ mode: 'update' })
      return { merge: update, withDeleted: update, shallow: r.doc.export({ mode: 'shallow-snapshot', frontiers: r.doc.oplogFrontiers() }),
        snapshot: r.doc.export({ mode: 'snapshot' }) }
    },
    load(bytes) { const doc = new LoroDoc(); doc.import(bytes); return { doc, text: doc.getText('text').toString() } },
  },
  automerge: { // the wasm backend handle (what @automerge/automerge runs on)
    pkg: '@automerge/automerge',
    make(agent) {
      const h = A.getBackend(A.init(hexActor(100 + agent)))
      const obj = h.putObject('_root', 'text', ''); h.commit()
      return { h, obj, agent }
    },
    fork: (r, agent) => ({ h: r.h.fork(hexActor(agent)), obj: r.obj, agent }),
    retag: () => false,
    edit(r, patches) { for (const [pos, del, ins] of patches) r.h.splice(r.obj, pos, del, ins); r.h.commit() },
    version: (r) => r.h.getHeads(),
    delta: (r, v) => r.h.saveSince(v),
    apply: (r, u) => r.h.loadIncremental(u),
    text: (r) => r.h.text(r.obj),
    // Automerge keeps the whole history, deleted text included.
    encode: (r) => ({ merge: r.h.save(), withDeleted: r.h.save() }),
    load(bytes) { const doc = A.load(bytes); return { doc, text: doc.text } },
  },
  dt: { // diamond-types, Eg-walker's own implementation (Rust as WebAssembly)
    pkg: 'diamond-types-node',
    make(agent) { return { doc: new dt.Doc(dtAgent(agent)), agent } },
    fork: (r, agent) => ({ doc: dt.Doc.fromBytes(r.doc.toBytes(), dtAgent(agent)), agent }),
    retag: () => false,
    edit(r, patches) { for (const [pos, del, ins] of patches) { if (del > 0) r.doc.del(pos, del); if (ins.length) r.doc.ins(pos, ins) } },
    version: (r) => r.doc.getLocalVersion(),
    delta: (r, v) => r.doc.getPatchSince(v),
    apply: (r, u) => r.doc.mergeBytes(u),
    text: (r) => r.doc.get(),
    free: (r) => r.doc.free(),
    // toBytes keeps inserted text but not deleted text (diamond-types' default encode options).
    encode: (r) => ({ merge: r.doc.toBytes(), withoutDeleted: r.doc.toBytes() }),
    load(bytes) { const doc = new dt.Doc(); doc.mergeBytes(bytes); return { doc, text: doc.get() } },
  },
}

export function readTrace(file) {
  const raw = fs.readFileSync(path.join(DATA, file))
  const tr = JSON.parse(zlib.gunzipSync(raw))
  tr.hash = crypto.createHash('sha256').update(raw).digest('hex').slice(0, 16)
  tr.numAgents = tr.numAgents || 1
  // A sequential trace (automerge-paper): one author, each transaction (keystroke) on the previous one.
  tr.txns.forEach((tx, i) => { if (tx.agent === undefined) tx.agent = 0; if (!tx.parents) tx.parents = i ? [i - 1] : [] })
  return tr
}

// Replays the trace's DAG; returns the document of the last transaction (which holds the whole history).
function convert(ad, tr) {
  const { txns, numAgents } = tr
  const n = txns.length
  // Each transaction runs on a copy of one parent's document (one by the same agent if there is one, so
  // the author need not change), then merges what its other parents add.
  const base = txns.map((tx) => tx.parents.length ? (tx.parents.find((p) => txns[p].agent === tx.agent) ?? tx.parents[0]) : -1)
  const uses = new Array(n).fill(0)
  for (const b of base) if (b >= 0) uses[b]++
  const vv = [], byAgent = [...Array(numAgents)].map(() => []), missingOf = []
  const needDelta = new Uint8Array(n)
  for (let i = 0; i < n; i++) { // dry pass: which transactions must be merged, so only their deltas are made
    const tx = txns[i], need = new Array(numAgents).fill(0)
    for (const p of tx.parents) for (let k = 0; k < numAgents; k++) need[k] = Math.max(need[k], vv[p][k])
    const have = base[i] >= 0 ? vv[base[i]] : new Array(numAgents).fill(0)
    const missing = []
    for (let k = 0; k < numAgents; k++) for (let s = have[k]; s < need[k]; s++) missing.push(byAgent[k][s])
    missing.sort((x, y) => x - y)
    for (const j of missing) needDelta[j] = 1
    missingOf.push(missing)
    byAgent[tx.agent].push(i); need[tx.agent] = byAgent[tx.agent].length; vv.push(need)
  }
  const root = ad.make(numAgents + 99)
  const docs = new Map(), deltas = new Map()
  let last = null
  for (let i = 0; i < n; i++) {
    const tx = txns[i], a = tx.agent
    if (process.env.PROGRESS && i % 100 === 0) console.error(`txn ${i} / ${n}`)
    let r
    if (base[i] < 0) r = ad.fork(root, a)
    else {
      const src = docs.get(base[i])
      if (--uses[base[i]] > 0) r = ad.fork(src, a)
      else {
        docs.delete(base[i])
        if (src.agent === a || ad.retag(src, a)) r = src
        else { r = ad.fork(src, a); if (ad.free) ad.free(src) }
      }
    }
    for (const j of missingOf[i]) ad.apply(r, deltas.get(j))
    const before = needDelta[i] ? ad.version(r) : null
    if (tx.patches.length) ad.edit(r, tx.patches)
    if (needDelta[i]) deltas.set(i, ad.delta(r, before))
    if (uses[i] > 0) docs.set(i, r)
    else if (i === n - 1) last = r
    else if (ad.free) ad.free(r)
  }
  return last
}

function cacheDir(lib, tr, file) {
  const ad = adapters[lib]
  return path.join(CACHE, `${path.basename(file, '.json.gz')}-${tr.hash}`, `${lib}-${pkgVersion(ad.pkg)}`)
}

function ensureConverted(lib, file) {
  const tr = readTrace(file)
  const dir = cacheDir(lib, tr, file)
  if (fs.existsSync(path.join(dir, 'done'))) return { dir, cached: true }
  const ad = adapters[lib]
  const t0 = now()
  const r = convert(ad, tr)
  const ms = now() - t0
  const text = ad.text(r)
  if (text !== tr.endContent) throw new Error(`${lib} on ${file}: the replay does not reach endContent (${text.length} vs ${tr.endContent.length} chars)`)
  fs.mkdirSync(dir, { recursive: true })
  for (const [k, v] of Object.entries(ad.encode(r))) fs.writeFileSync(path.join(dir, `${k}.bin`), v)
  fs.writeFileSync(path.join(dir, 'done'), JSON.stringify({ convertMs: ms }))
  return { dir, cached: false, ms }
}

function measure(lib, file) {
  const tr = readTrace(file)
  const ad = adapters[lib]
  const dir = cacheDir(lib, tr, file)
  const read = (k) => fs.existsSync(path.join(dir, `${k}.bin`)) ? new Uint8Array(fs.readFileSync(path.join(dir, `${k}.bin`))) : null
  const bytes = read('merge')
  ad.load(ad.encode((() => { const r = ad.make(0); ad.edit(r, [[0, 0, 'warm up']]); return r })()).merge) // library code paged in
  gc()
  const m0 = process.memoryUsage()
  const t0 = now()
  const loaded = ad.load(bytes)
  const ms = now() - t0
  gc()
  const m1 = process.memoryUsage()
  const out = { lib, trace: file, mergeMs: ms, ok: loaded.text === tr.endContent,
    memBytes: (m1.heapUsed + m1.external) - (m0.heapUsed + m0.external), rssBytes: m1.rss - m0.rss }
  for (const k of ['withDeleted', 'withoutDeleted', 'v2', 'snapshot', 'shallow']) { const b = read(k); if (b) out[k + 'Bytes'] = b.length }
  globalThis.keep = loaded // alive until measured
  return out
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const me = new URL(import.meta.url).pathname
if (process.argv[2] === 'convert') {
  console.log(JSON.stringify(ensureConverted(process.argv[3], process.argv[4])))
} else if (process.argv[2] === 'measure') {
  console.log(JSON.stringify(measure(process.argv[3], process.argv[4])))
} else if (process.argv[1] === me) {
  const RUNS = +(process.env.RUNS || 5)
  const libs = (process.env.LIBS || 'yjs,loro,automerge,dt').split(',')
  const traces = (process.env.TRACES || TRACES.join(',')).split(',')
  const node = (args) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', me, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop())
  // A conversion that fails (the replay does not reach endContent, the library panics) or takes longer than
  // CONVERT_TIMEOUT seconds (default 3600: diamond-types needs over 30 min on A2) is recorded in the cache as failed and not tried again
  // (RETRY_FAILED=1 tries again); its cell is reported as failed.
  const timeout = 1000 * +(process.env.CONVERT_TIMEOUT || 3600)
  for (const file of traces) {
    const tr = readTrace(file)
    for (const lib of libs) {
    const dir = cacheDir(lib, tr, file)
    const failed = path.join(dir, 'failed')
    if (fs.existsSync(failed) && !process.env.RETRY_FAILED) {
      console.log(JSON.stringify({ case: `${lib}:table:${file}`, ok: false, error: fs.readFileSync(failed, 'utf8') }))
      continue
    }
    let c
    try {
      c = JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=8192', me, 'convert', lib, file],
        { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'], timeout }).trim().split('\n').pop())
    } catch (e) {
      const why = e.signal ? `conversion stopped after ${timeout / 1000} s` :
        (String(e.stderr || e.message).split('\n').find((l) => /Error|panicked|endContent/.test(l)) || 'conversion failed').trim()
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(failed, why)
      console.error(`${lib} on ${file}: ${why}`)
      console.log(JSON.stringify({ case: `${lib}:table:${file}`, ok: false, error: why }))
      continue
    }
    if (!c.cached) console.error(`converted ${file} for ${lib} once in ${(c.ms / 1000).toFixed(1)} s (cached in ${c.dir})`)
    const runs = []
    // A load that takes over 20 s (Automerge on automerge-paper: 260,000 changes) is measured once.
    for (let i = 0; i < RUNS && !(i > 0 && runs[0].mergeMs > 20000); i++) runs.push(node(['measure', lib, file]))
    const s = { case: `${lib}:table:${file}`, ok: runs.every((r) => r.ok), runs: runs.length }
    for (const k of ['mergeMs', 'memBytes', 'rssBytes']) s[k] = +median(runs.map((r) => r[k])).toFixed(3)
    for (const k of Object.keys(runs[0])) if (k.endsWith('Bytes') && !(k in s)) s[k] = runs[0][k]
    console.log(JSON.stringify(s))
    }
  }
}
