#!/usr/bin/env node
'use strict';
// ONNX Runtime (CPU) oracle: runs an ONNX model on .npy inputs and writes the
// outputs as float32 .npy, optionally timing repeated runs.
//
//   node tests/oracle/ort_run.js MODEL.onnx --input NAME=FILE.npy [...]
//        [--output NAME=OUT.npy ...] [--threads N] [--repeat N] [--warmup N]
//
// --threads N   intra-op threads (default 1, so that oracle runs started in
//               parallel by a test harness do not oversubscribe the CPU);
//               inter-op threads are always 1.
// --warmup N    untimed runs before timing (default 0; the first run, which
//               produces the outputs, already pays the one-time costs).
// --repeat N    timed runs after that; prints median_ms=<ms> as the last line.
//
// Always prints peak_rss_mb=<MB> (peak resident set of this process, VmHWM on
// Linux) before the timing line.  Exits with status 1 and a message on stderr on any error.
// Graph optimizations are left at ORT's default (all), like a user would run.

const fs = require('fs');
const path = require('path');
const { readNpy, writeNpy } = require('./npy');

function usage() {
  return (
    'usage: node ort_run.js MODEL.onnx --input NAME=FILE.npy [...] ' +
    '[--output NAME=OUT.npy ...] [--threads N] [--repeat N] [--warmup N]'
  );
}

class UsageError extends Error {}

function parsePair(flag, text) {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    throw new UsageError(`${flag} expects NAME=FILE, got '${text}'`);
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function parseCount(flag, text, min) {
  if (!/^\d+$/.test(text || '') || Number(text) < min) {
    throw new UsageError(`${flag} expects an integer >= ${min}, got '${text}'`);
  }
  return Number(text);
}

function parseArgs(argv) {
  const opts = { model: null, inputs: new Map(), outputs: new Map(), threads: 1, repeat: 0, warmup: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const needValue = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    // Accept both "--flag value" and "--flag=value".
    let flag = arg;
    let inline = null;
    const m = /^(--[a-z]+)=(.*)$/.exec(arg);
    if (m) {
      flag = m[1];
      inline = m[2];
    }
    const value = () => (inline !== null ? inline : needValue());
    switch (flag) {
      case '--input': {
        const [name, file] = parsePair(flag, value());
        if (opts.inputs.has(name)) throw new UsageError(`input '${name}' given twice`);
        opts.inputs.set(name, file);
        break;
      }
      case '--output': {
        const [name, file] = parsePair(flag, value());
        if (opts.outputs.has(name)) throw new UsageError(`output '${name}' given twice`);
        opts.outputs.set(name, file);
        break;
      }
      case '--threads':
        opts.threads = parseCount(flag, value(), 1);
        break;
      case '--repeat':
        opts.repeat = parseCount(flag, value(), 0);
        break;
      case '--warmup':
        opts.warmup = parseCount(flag, value(), 0);
        break;
      case '-h':
      case '--help':
        console.log(usage());
        process.exit(0);
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        if (opts.model !== null) throw new UsageError(`unexpected argument '${arg}' (model already given)`);
        opts.model = arg;
    }
  }
  if (opts.model === null) throw new UsageError('missing MODEL.onnx');
  return opts;
}

function loadOrt() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    throw new Error(
      `cannot load onnxruntime-node (${e.message.split('\n')[0]}); ` +
        `run ${path.join(__dirname, 'install.sh')} first`
    );
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Peak resident memory of this process in MB.  getrusage's maxRSS (what
// process.resourceUsage() reports) survives exec(), so a node started from a
// large parent (e.g. a Python test driver holding PyTorch) would report the
// parent's peak; Linux's VmHWM belongs to the current process image only.
function peakRssMb() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch (e) {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024; // kilobytes
}

function toFloat32(tensor, name) {
  if (tensor.type === 'float32') return tensor.data;
  if (tensor.type === 'string' || !tensor.data || typeof tensor.data.length !== 'number') {
    throw new Error(`output '${name}' has type ${tensor.type}, cannot write it as float32`);
  }
  const out = new Float32Array(tensor.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(tensor.data[i]);
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.model)) throw new Error(`model not found: ${opts.model}`);
  for (const [name, file] of opts.inputs) {
    if (!fs.existsSync(file)) throw new Error(`input '${name}': file not found: ${file}`);
  }
  for (const [name, file] of opts.outputs) {
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir)) throw new Error(`output '${name}': directory does not exist: ${dir}`);
  }

  const ort = loadOrt();
  const session = await ort.InferenceSession.create(opts.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Errors only: ORT warns about the unused inswapper `buff2fs` initializer
    // on every load, which is expected and would clutter test logs.
    logSeverityLevel: 3,
  });

  const known = new Set(session.inputNames);
  for (const name of opts.inputs.keys()) {
    if (!known.has(name)) {
      throw new Error(`unknown input '${name}' (model inputs: ${session.inputNames.join(', ')})`);
    }
  }
  const missing = session.inputNames.filter((n) => !opts.inputs.has(n));
  if (missing.length) throw new Error(`missing --input for: ${missing.join(', ')}`);
  const knownOut = new Set(session.outputNames);
  for (const name of opts.outputs.keys()) {
    if (!knownOut.has(name)) {
      throw new Error(`unknown output '${name}' (model outputs: ${session.outputNames.join(', ')})`);
    }
  }

  const feeds = {};
  for (const [name, file] of opts.inputs) {
    const arr = readNpy(file);
    feeds[name] = new ort.Tensor(arr.dtype, arr.data, arr.shape);
  }
  const fetches = opts.outputs.size ? [...opts.outputs.keys()] : session.outputNames;

  const results = await session.run(feeds, fetches);
  for (const [name, file] of opts.outputs) {
    const t = results[name];
    writeNpy(file, t.dims.map(Number), toFloat32(t, name));
    console.log(`output ${name} [${t.dims.join(', ')}] -> ${file}`);
  }

  for (let i = 0; i < opts.warmup; i++) await session.run(feeds, fetches);
  const times = [];
  for (let i = 0; i < opts.repeat; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds, fetches);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await session.release();

  console.log(`peak_rss_mb=${peakRssMb().toFixed(1)}`);
  if (opts.repeat > 0) console.log(`median_ms=${median(times).toFixed(3)}`);
}

main().catch((e) => {
  const msg = e instanceof UsageError ? `${e.message}\n${usage()}` : e.message || String(e);
  console.error(`ort_run.js: error: ${msg}`);
  process.exit(1);
});
