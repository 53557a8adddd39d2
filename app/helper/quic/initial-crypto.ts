// Allocation-free HMAC-SHA256 (short messages) and single-block AES-128, for the Initial check
// (initial-auth.ts). Why not node:crypto: every createHmac/createCipheriv makes a JS object bound to
// native state, which survives young-generation GCs; at thousands of flood packets per second that
// grew the helper's heap by tens of MiB. These run on preallocated typed arrays and make no
// garbage. Not constant-time, and not meant to be: the keys derive from a public salt and the
// packet's own connection ID (RFC 9001 §5.2); nothing secret passes through here.
// Checked against node:crypto in test/unit/quic/initial-crypto.test.ts.

// ---- SHA-256 (FIPS 180-4) --------------------------------------------------------------------

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const W = new Int32Array(64);
const H = new Int32Array(8);
const BLOCK = new Uint8Array(64);

/** One SHA-256 compression of the 64 bytes in BLOCK into H. */
function compress(): void {
  for (let i = 0; i < 16; i++) {
    const j = i * 4;
    W[i] =
      ((BLOCK[j] ?? 0) << 24) |
      ((BLOCK[j + 1] ?? 0) << 16) |
      ((BLOCK[j + 2] ?? 0) << 8) |
      (BLOCK[j + 3] ?? 0);
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15] ?? 0;
    const b = W[i - 2] ?? 0;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = ((W[i - 16] ?? 0) + s0 + (W[i - 7] ?? 0) + s1) | 0;
  }
  let a = H[0] ?? 0;
  let b = H[1] ?? 0;
  let c = H[2] ?? 0;
  let d = H[3] ?? 0;
  let e = H[4] ?? 0;
  let f = H[5] ?? 0;
  let g = H[6] ?? 0;
  let h = H[7] ?? 0;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] ?? 0) + (W[i] ?? 0)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = ((H[0] ?? 0) + a) | 0;
  H[1] = ((H[1] ?? 0) + b) | 0;
  H[2] = ((H[2] ?? 0) + c) | 0;
  H[3] = ((H[3] ?? 0) + d) | 0;
  H[4] = ((H[4] ?? 0) + e) | 0;
  H[5] = ((H[5] ?? 0) + f) | 0;
  H[6] = ((H[6] ?? 0) + g) | 0;
  H[7] = ((H[7] ?? 0) + h) | 0;
}

/** BLOCK = key (<= 64 bytes, zero padded) XOR pad; compressed into H. */
function padBlock(key: Uint8Array, pad: number): void {
  for (let i = 0; i < 64; i++) BLOCK[i] = (i < key.byteLength ? (key[i] ?? 0) : 0) ^ pad;
  compress();
}

/** Final block of a message of 64 + n bytes whose last n (<= 55) bytes are in BLOCK[0..n). */
function finalBlock(n: number): void {
  BLOCK[n] = 0x80;
  BLOCK.fill(0, n + 1, 56);
  const bits = (64 + n) * 8;
  BLOCK[56] = 0;
  BLOCK[57] = 0;
  BLOCK[58] = 0;
  BLOCK[59] = 0;
  BLOCK[60] = (bits >>> 24) & 0xff;
  BLOCK[61] = (bits >>> 16) & 0xff;
  BLOCK[62] = (bits >>> 8) & 0xff;
  BLOCK[63] = bits & 0xff;
  compress();
}

const INNER = new Uint8Array(32);

/** Largest key and message this HMAC takes (one block each). */
export const MAX_HMAC_KEY = 64;
export const MAX_HMAC_MSG = 55;

/**
 * out[0..32) = HMAC-SHA256(key, a | b). key <= 64 bytes; a and b together <= 55 bytes (throws
 * otherwise). `out` may alias `key`.
 */
export function hmacSha256(key: Uint8Array, a: Uint8Array, b: Uint8Array | null, out: Uint8Array): void {
  const n = a.byteLength + (b === null ? 0 : b.byteLength);
  if (key.byteLength > MAX_HMAC_KEY || n > MAX_HMAC_MSG || out.byteLength < 32)
    throw new RangeError('hmac input');
  H.set(IV);
  padBlock(key, 0x36);
  BLOCK.set(a, 0);
  if (b !== null) BLOCK.set(b, a.byteLength);
  finalBlock(n);
  for (let i = 0; i < 8; i++) {
    const v = H[i] ?? 0;
    BLOCK[i * 4] = v >>> 24;
    BLOCK[i * 4 + 1] = (v >>> 16) & 0xff;
    BLOCK[i * 4 + 2] = (v >>> 8) & 0xff;
    BLOCK[i * 4 + 3] = v & 0xff;
  }
  for (let i = 0; i < 32; i++) INNER[i] = BLOCK[i] ?? 0;
  H.set(IV);
  padBlock(key, 0x5c);
  BLOCK.set(INNER, 0);
  finalBlock(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i] ?? 0;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
}

// ---- AES-128, encryption of one block (FIPS 197) ---------------------------------------------

const SBOX = new Uint8Array(256);
{
  // The S-box from its definition (multiplicative inverse in GF(2^8), then the affine map).
  let p = 1;
  let q = 1;
  const rotl = (x: number, s: number) => ((x << s) | (x >>> (8 - s))) & 0xff;
  do {
    p = (p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0)) & 0xff; // p * 3
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09; // q / 3
    SBOX[p] = q ^ rotl(q, 1) ^ rotl(q, 2) ^ rotl(q, 3) ^ rotl(q, 4) ^ 0x63;
  } while (p !== 1);
  SBOX[0] = 0x63;
}
const RK = new Uint8Array(176);
const S = new Uint8Array(16);
const T = new Uint8Array(16);

const xtime = (x: number) => ((x << 1) ^ (x & 0x80 ? 0x1b : 0)) & 0xff;

function expandKey(key: Uint8Array): void {
  for (let i = 0; i < 16; i++) RK[i] = key[i] ?? 0;
  let rcon = 1;
  for (let i = 16; i < 176; i += 4) {
    let t0 = RK[i - 4] ?? 0;
    let t1 = RK[i - 3] ?? 0;
    let t2 = RK[i - 2] ?? 0;
    let t3 = RK[i - 1] ?? 0;
    if (i % 16 === 0) {
      const r = t0;
      t0 = (SBOX[t1] ?? 0) ^ rcon;
      t1 = SBOX[t2] ?? 0;
      t2 = SBOX[t3] ?? 0;
      t3 = SBOX[r] ?? 0;
      rcon = xtime(rcon);
    }
    RK[i] = (RK[i - 16] ?? 0) ^ t0;
    RK[i + 1] = (RK[i - 15] ?? 0) ^ t1;
    RK[i + 2] = (RK[i - 14] ?? 0) ^ t2;
    RK[i + 3] = (RK[i - 13] ?? 0) ^ t3;
  }
}

/** out[0..16) = AES-128-ECB(key, input[off..off+16)). `out` may alias neither input nor key. */
export function aes128EncryptBlock(key: Uint8Array, input: Uint8Array, off: number, out: Uint8Array): void {
  if (key.byteLength < 16 || off + 16 > input.byteLength || out.byteLength < 16)
    throw new RangeError('aes input');
  expandKey(key);
  for (let i = 0; i < 16; i++) S[i] = (input[off + i] ?? 0) ^ (RK[i] ?? 0);
  for (let round = 1; round <= 10; round++) {
    // SubBytes + ShiftRows into T (state is column-major: byte r + 4c)
    for (let c = 0; c < 4; c++) {
      for (let r = 0; r < 4; r++) T[r + 4 * c] = SBOX[S[r + 4 * ((c + r) & 3)] ?? 0] ?? 0;
    }
    if (round < 10) {
      for (let c = 0; c < 4; c++) {
        const a0 = T[4 * c] ?? 0;
        const a1 = T[4 * c + 1] ?? 0;
        const a2 = T[4 * c + 2] ?? 0;
        const a3 = T[4 * c + 3] ?? 0;
        const all = a0 ^ a1 ^ a2 ^ a3;
        S[4 * c] = a0 ^ all ^ xtime(a0 ^ a1);
        S[4 * c + 1] = a1 ^ all ^ xtime(a1 ^ a2);
        S[4 * c + 2] = a2 ^ all ^ xtime(a2 ^ a3);
        S[4 * c + 3] = a3 ^ all ^ xtime(a3 ^ a0);
      }
    } else {
      S.set(T);
    }
    const k = round * 16;
    for (let i = 0; i < 16; i++) S[i] = (S[i] ?? 0) ^ (RK[k + i] ?? 0);
  }
  out.set(S);
}

// ---- AES-128-GCM tag check (NIST SP 800-38D) -------------------------------------------------
// Only the tag is checked, so nothing is decrypted: tag = E_K(J0) XOR GHASH_H(A, C), H = E_K(0).

/** HT[4i .. 4i+3] = H * x^i in GCM's bit order (the V_i of SP 800-38D Algorithm 1), big-endian words. */
const HT = new Int32Array(128 * 4);
const Y = new Int32Array(4);
const Z = new Int32Array(4);
const ZERO16 = new Uint8Array(16);
const HBYTES = new Uint8Array(16);
const J0 = new Uint8Array(16);
const EJ0 = new Uint8Array(16);

const word = (b: Uint8Array, o: number): number =>
  ((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0);

function ghashInit(h: Uint8Array): void {
  let v0 = word(h, 0);
  let v1 = word(h, 4);
  let v2 = word(h, 8);
  let v3 = word(h, 12);
  for (let i = 0; i < 128; i++) {
    HT[4 * i] = v0;
    HT[4 * i + 1] = v1;
    HT[4 * i + 2] = v2;
    HT[4 * i + 3] = v3;
    const lsb = v3 & 1;
    v3 = (v3 >>> 1) | (v2 << 31);
    v2 = (v2 >>> 1) | (v1 << 31);
    v1 = (v1 >>> 1) | (v0 << 31);
    v0 = (v0 >>> 1) ^ (lsb ? 0xe1000000 : 0);
  }
  Y.fill(0);
}

/** Y = (Y XOR X) * H, where X is src[off .. off+n) zero padded to 16 bytes (n <= 16). */
function ghashBlock(src: Uint8Array, off: number, n: number): void {
  for (let w = 0; w < 4; w++) {
    let x = 0;
    for (let k = 0; k < 4; k++) {
      const i = w * 4 + k;
      x = (x << 8) | (i < n ? (src[off + i] ?? 0) : 0);
    }
    Y[w] = (Y[w] ?? 0) ^ x;
  }
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  for (let w = 0; w < 4; w++) {
    const x = Y[w] ?? 0;
    for (let b = 0; b < 32; b++) {
      if ((x >>> (31 - b)) & 1) {
        const t = 4 * (w * 32 + b);
        z0 ^= HT[t] ?? 0;
        z1 ^= HT[t + 1] ?? 0;
        z2 ^= HT[t + 2] ?? 0;
        z3 ^= HT[t + 3] ?? 0;
      }
    }
  }
  Y[0] = z0;
  Y[1] = z1;
  Y[2] = z2;
  Y[3] = z3;
}

function ghashBytes(src: Uint8Array, off: number, len: number): void {
  for (let o = 0; o < len; o += 16) ghashBlock(src, off + o, Math.min(16, len - o));
}

/**
 * True if `tag` (16 bytes at tagOff) is the AES-128-GCM tag of AAD aad[0..aadLen) and ciphertext
 * ct[ctOff .. ctOff+ctLen) under `key` (16 bytes) and a 12-byte `nonce`. Allocates nothing.
 */
export function aes128GcmTagValid(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  aadLen: number,
  ct: Uint8Array,
  ctOff: number,
  ctLen: number,
  tag: Uint8Array,
  tagOff: number,
): boolean {
  aes128EncryptBlock(key, ZERO16, 0, HBYTES);
  ghashInit(HBYTES);
  ghashBytes(aad, 0, aadLen);
  ghashBytes(ct, ctOff, ctLen);
  // lengths block: bit lengths of A and C as 64-bit big-endian numbers (both < 2^32 here)
  Z[0] = 0;
  Z[1] = aadLen * 8;
  Z[2] = 0;
  Z[3] = ctLen * 8;
  for (let w = 0; w < 4; w++) {
    const v = Z[w] ?? 0;
    J0[4 * w] = v >>> 24;
    J0[4 * w + 1] = (v >>> 16) & 0xff;
    J0[4 * w + 2] = (v >>> 8) & 0xff;
    J0[4 * w + 3] = v & 0xff;
  }
  ghashBlock(J0, 0, 16);
  for (let i = 0; i < 12; i++) J0[i] = nonce[i] ?? 0;
  J0[12] = 0;
  J0[13] = 0;
  J0[14] = 0;
  J0[15] = 1;
  aes128EncryptBlock(key, J0, 0, EJ0);
  let diff = 0;
  for (let w = 0; w < 4; w++) {
    const s = Y[w] ?? 0;
    for (let k = 0; k < 4; k++) {
      const sb = (s >>> (24 - 8 * k)) & 0xff;
      diff |= (EJ0[4 * w + k] ?? 0) ^ sb ^ (tag[tagOff + 4 * w + k] ?? 0);
    }
  }
  return diff === 0;
}
