// Generates the app icons (resources/icons/NxN.png) and the tray images per tunnel state
// (resources/tray/<state>.png and <state>@2x.png) from one drawing, with a tiny PNG encoder, so
// no image tool or binary asset source is needed. The outputs are committed; rerun after
// changing the drawing: node --import tsx electron/build/make-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { TRAY_ICONS, type TrayIcon } from '../main/logic/tray-menu.ts';

type RGBA = readonly [number, number, number, number];
type Pt = readonly [number, number];

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

// ── PNG encoding ─────────────────────────────────────────────────────────────────────────────
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(size: number, px: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(px.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ── drawing (unit square coordinates, 4×4 supersampling) ─────────────────────────────────────
type Shape = (x: number, y: number) => boolean;

function polygon(pts: readonly Pt[]): Shape {
  return (x, y) => {
    let inside = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i] as Pt;
      const [xj, yj] = pts[j] as Pt;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
}
const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const roundedSquare =
  (m: number, r: number): Shape =>
  (x, y) => {
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - m - r), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - m - r), 0);
    return qx * qx + qy * qy <= r * r;
  };
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && !b(x, y);

/** Shield outline centred at (cx, cy) with half-width w, as a polygon (curved bottom sampled). */
function shield(cx: number, top: number, w: number, h: number): Shape {
  const pts: Pt[] = [
    [cx, top],
    [cx + w, top + h * 0.16],
    [cx + w, top + h * 0.5],
  ];
  for (let i = 1; i <= 12; i++) {
    const t = i / 12;
    // Quadratic curve from the right side down to the bottom tip.
    const x0 = cx + w;
    const y0 = top + h * 0.5;
    const x1 = cx + w;
    const y1 = top + h * 0.86;
    const x2 = cx;
    const y2 = top + h;
    pts.push([
      (1 - t) ** 2 * x0 + 2 * (1 - t) * t * x1 + t * t * x2,
      (1 - t) ** 2 * y0 + 2 * (1 - t) * t * y1 + t * t * y2,
    ]);
  }
  const right = pts.slice(1);
  const left = right
    .slice(0, -1)
    .reverse()
    .map(([x, y]) => [2 * cx - x, y] as Pt);
  return polygon([...pts, ...left]);
}

function render(size: number, layers: ReadonlyArray<readonly [Shape, RGBA]>): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const ux = (x + (sx + 0.5) / S) / size;
          const uy = (y + (sy + 0.5) / S) / size;
          // Painter's algorithm per sample: later layers cover earlier ones.
          let c: RGBA = [0, 0, 0, 0];
          for (const [shape, color] of layers) if (shape(ux, uy)) c = color;
          const ca = c[3] / 255;
          r += c[0] * ca;
          g += c[1] * ca;
          b += c[2] * ca;
          a += ca;
        }
      }
      const i = (y * size + x) * 4;
      px[i] = a > 0 ? Math.round(r / a) : 0;
      px[i + 1] = a > 0 ? Math.round(g / a) : 0;
      px[i + 2] = a > 0 ? Math.round(b / a) : 0;
      px[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return px;
}

const BLUE: RGBA = [37, 99, 235, 255];
const WHITE: RGBA = [255, 255, 255, 255];
const GLYPH: RGBA = [230, 235, 241, 255];
const STATE_COLOR: Record<TrayIcon, RGBA> = {
  disconnected: [139, 150, 165, 255],
  connecting: [79, 140, 255, 255],
  connected: [47, 191, 113, 255],
  degraded: [245, 124, 0, 255],
  error: [240, 82, 95, 255],
};

function appIcon(size: number): Buffer {
  const outer = shield(0.5, 0.18, 0.25, 0.64);
  const inner = shield(0.5, 0.265, 0.175, 0.47);
  const check = polygon([
    [0.385, 0.49],
    [0.465, 0.57],
    [0.625, 0.41],
    [0.66, 0.445],
    [0.465, 0.64],
    [0.35, 0.525],
  ]);
  return encodePng(
    size,
    render(size, [
      [roundedSquare(0.04, 0.17), BLUE],
      [minus(outer, inner), WHITE],
      [check, WHITE],
    ]),
  );
}

function trayIcon(size: number, state: TrayIcon): Buffer {
  const outer = shield(0.42, 0.06, 0.34, 0.86);
  const inner = shield(0.42, 0.17, 0.23, 0.62);
  const ring = circle(0.75, 0.75, 0.25);
  const dot = circle(0.75, 0.75, 0.17);
  const hollow = circle(0.75, 0.75, 0.09);
  const dotShape = state === 'disconnected' ? minus(dot, hollow) : dot;
  return encodePng(
    size,
    render(size, [
      [minus(minus(outer, inner), ring), GLYPH],
      [dotShape, STATE_COLOR[state]],
    ]),
  );
}

const iconDir = join(root, 'resources/icons');
const trayDir = join(root, 'resources/tray');
mkdirSync(iconDir, { recursive: true });
mkdirSync(trayDir, { recursive: true });
for (const size of [16, 32, 48, 64, 128, 256, 512])
  writeFileSync(join(iconDir, `${size}x${size}.png`), appIcon(size));
for (const state of TRAY_ICONS) {
  writeFileSync(join(trayDir, `${state}.png`), trayIcon(22, state));
  writeFileSync(join(trayDir, `${state}@2x.png`), trayIcon(44, state));
}
console.log(`wrote ${iconDir} and ${trayDir}`);
