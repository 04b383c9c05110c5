'use strict';
// Minimal NumPy .npy reader/writer for the ORT oracle.
//
// Supports what the swaprun fixtures use: little-endian float32 ('<f4') and
// int64 ('<i8') arrays in C order.  Reads format versions 1.0-3.0 (numpy
// switches to 2.0 only for huge headers) and always writes 1.0.

const fs = require('fs');

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

const DTYPES = {
  '<f4': { name: 'float32', ctor: Float32Array, size: 4 },
  '<i8': { name: 'int64', ctor: BigInt64Array, size: 8 },
};

function parseHeader(text, file) {
  // The header is a Python dict literal, e.g.
  // {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 128, 128), }
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    throw new Error(`${file}: malformed .npy header: ${text.trim()}`);
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new Error(`${file}: bad shape entry '${s}'`);
      return v;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

/**
 * Read an .npy file.
 * @returns {{shape: number[], dtype: string, data: Float32Array|BigInt64Array}}
 */
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new Error(`${file}: not a .npy file (bad magic)`);
  }
  const major = buf[6];
  let headerLen;
  let offset;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw new Error(`${file}: unsupported .npy format version ${major}.${buf[7]}`);
  }
  const encoding = major === 3 ? 'utf8' : 'latin1';
  const header = parseHeader(buf.toString(encoding, offset, offset + headerLen), file);
  const dataStart = offset + headerLen;

  const dt = DTYPES[header.descr];
  if (!dt) {
    throw new Error(`${file}: unsupported dtype '${header.descr}' (supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  if (header.fortranOrder) {
    throw new Error(`${file}: Fortran-order arrays are not supported (save with np.ascontiguousarray)`);
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  const nbytes = count * dt.size;
  if (buf.length - dataStart !== nbytes) {
    throw new Error(`${file}: expected ${nbytes} data bytes for shape (${header.shape}), found ${buf.length - dataStart}`);
  }
  // Copy into a fresh ArrayBuffer: the data offset inside Node's Buffer pool
  // is not necessarily aligned for a typed-array view.
  const ab = new ArrayBuffer(nbytes);
  buf.copy(Buffer.from(ab), 0, dataStart, dataStart + nbytes);
  return { shape: header.shape, dtype: dt.name, data: new dt.ctor(ab) };
}

function shapeString(shape) {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * Write a typed array as a C-order .npy (format 1.0).  float32 unless the data
 * is a BigInt64Array.
 */
function writeNpy(file, shape, data) {
  let descr;
  if (data instanceof Float32Array) descr = '<f4';
  else if (data instanceof BigInt64Array) descr = '<i8';
  else throw new Error(`writeNpy(${file}): unsupported array type ${data && data.constructor.name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`writeNpy(${file}): shape (${shape}) needs ${count} elements, got ${data.length}`);
  }
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('writeNpy: big-endian hosts are not supported');
  }
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeString(shape)}, }`;
  // numpy pads with spaces and a final newline so that the data starts on a
  // 64-byte boundary.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

module.exports = { readNpy, writeNpy };
