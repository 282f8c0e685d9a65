// On-disk format of the frozen tier: segment files of checksummed records.
// Pure encoding/decoding (no I/O), shared by the store, its maintenance
// operations and the tests that make faults on purpose.
//
// A segment file (segments/<created36>-<pid>-<rand>.seg) is a 32-byte segment
// header followed by records, appended by one process only:
//
//   segment header (32 bytes, little-endian)
//     0  4  magic "CSTS"
//     4  2  STORE_FORMAT_VERSION
//     6  2  header size (32)
//     8  4  creator pid
//    12  4  reserved (0)
//    16  8  creation time (float64, ms since the epoch)
//    24  4  reserved (0)
//    28  4  CRC32 of bytes 0..27
//
//   record (60 + L + N bytes)
//     0  4  magic "CSTR"
//     4  2  STORE_FORMAT_VERSION
//     6  1  flags (bit 0: tombstone: the key is deleted as of `write time`)
//     7  1  L = length of the language id (UTF-8 bytes)
//     8  4  N = payload length
//    12  8  write time (float64, ms since the epoch; strictly increasing per writer)
//    20 32  key (sha256 of the entry's content identity)
//    52  4  header CRC32 of bytes 0..51 (lets a scan trust lengths and resync after damage)
//    56  4  record CRC32 of bytes 0..55 + language + payload
//    60  L  language id
//  60+L  N  payload (opaque bytes: an already-compressed cache entry)
//
// A record is valid only when both checksums match. A writer appends whole
// records with one positional write, so a crash leaves at most one incomplete
// record at the tail of its own segment; any prefix of 56 bytes or more of a
// record still passes the header check, which is how a scan tells "incomplete
// tail" (length runs past the end of the file) from damage (header check fails).
import { crc32 } from 'node:zlib';

export const STORE_FORMAT_VERSION = 1;

export const SEGMENT_MAGIC = 0x53545343; // "CSTS" read as uint32 LE
export const RECORD_MAGIC = 0x52545343; // "CSTR" read as uint32 LE
export const SEGMENT_HEADER_SIZE = 32;
export const RECORD_HEADER_SIZE = 60;
export const KEY_BYTES = 32;
export const MAX_LANGUAGE_BYTES = 255;
export const FLAG_TOMBSTONE = 1;

/** The file in the cache directory that marks it as ours. */
export const MARKER_FILE = 'cst-store.json';
export const MARKER_FORMAT = 'cst-language-server frozen store';
export const SEGMENTS_DIR = 'segments';
export const SEGMENT_EXT = '.seg';
export const TEMP_EXT = '.tmp';
/** The workspace indexer's stat-signature manifest (workspace/manifest.ts): a hint kept beside the store. */
export const INDEX_MANIFEST_FILE = 'index-manifest.json';

const SEGMENT_NAME = /^([0-9a-z]+)-(\d+)-([0-9a-f]+)\.seg$/;

export function segmentFileName(pid: number, createdMs: number, random: string): string {
  return `${Math.floor(createdMs).toString(36)}-${pid}-${random}${SEGMENT_EXT}`;
}

/** The creator pid of a segment or temp file named by segmentFileName (with or without .tmp), or undefined. */
export function pidFromName(name: string): number | undefined {
  const base = name.endsWith(TEMP_EXT) ? name.slice(0, -TEMP_EXT.length) : name;
  const m = SEGMENT_NAME.exec(base);
  return m ? Number(m[2]) : undefined;
}

export function isSegmentName(name: string): boolean {
  return SEGMENT_NAME.test(name);
}

export function encodeSegmentHeader(pid: number, createdMs: number, version = STORE_FORMAT_VERSION): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_SIZE);
  b.writeUInt32LE(SEGMENT_MAGIC, 0);
  b.writeUInt16LE(version, 4);
  b.writeUInt16LE(SEGMENT_HEADER_SIZE, 6);
  b.writeUInt32LE(pid >>> 0, 8);
  b.writeDoubleLE(createdMs, 16);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

export type SegmentHeaderCheck =
  | { ok: true; pid: number; createdMs: number }
  | { ok: false; problem: 'short' | 'foreign' | 'wrong-version' | 'checksum'; detail: string };

export function checkSegmentHeader(buf: Buffer): SegmentHeaderCheck {
  if (buf.length < SEGMENT_HEADER_SIZE) return { ok: false, problem: 'short', detail: `file is ${buf.length} bytes, shorter than a segment header` };
  if (buf.readUInt32LE(0) !== SEGMENT_MAGIC) return { ok: false, problem: 'foreign', detail: 'not a segment file (bad magic)' };
  const version = buf.readUInt16LE(4);
  if (version !== STORE_FORMAT_VERSION) return { ok: false, problem: 'wrong-version', detail: `segment format version ${version}, expected ${STORE_FORMAT_VERSION}` };
  if (buf.readUInt32LE(28) !== crc32(buf.subarray(0, 28))) return { ok: false, problem: 'checksum', detail: 'segment header checksum mismatch' };
  return { ok: true, pid: buf.readUInt32LE(8), createdMs: buf.readDoubleLE(16) };
}

export interface RecordFields {
  key: Buffer;
  language: string;
  payload: Buffer;
  time: number;
  tombstone?: boolean;
  /** Only for tests that write wrong-version records on purpose. */
  version?: number;
}

export function encodeRecord(r: RecordFields): Buffer {
  if (r.key.length !== KEY_BYTES) throw new Error(`key must be ${KEY_BYTES} bytes`);
  const lang = Buffer.from(r.language, 'utf8');
  if (lang.length > MAX_LANGUAGE_BYTES) throw new Error(`language id longer than ${MAX_LANGUAGE_BYTES} bytes`);
  const payloadLen = r.tombstone ? 0 : r.payload.length;
  const b = Buffer.allocUnsafe(RECORD_HEADER_SIZE + lang.length + payloadLen);
  b.writeUInt32LE(RECORD_MAGIC, 0);
  b.writeUInt16LE(r.version ?? STORE_FORMAT_VERSION, 4);
  b.writeUInt8(r.tombstone ? FLAG_TOMBSTONE : 0, 6);
  b.writeUInt8(lang.length, 7);
  b.writeUInt32LE(payloadLen, 8);
  b.writeDoubleLE(r.time, 12);
  r.key.copy(b, 20);
  b.writeUInt32LE(crc32(b.subarray(0, 52)), 52);
  lang.copy(b, RECORD_HEADER_SIZE);
  if (payloadLen > 0) r.payload.copy(b, RECORD_HEADER_SIZE + lang.length);
  b.writeUInt32LE(recordCrc(b), 56);
  return b;
}

/** CRC32 over header bytes 0..55 and everything after byte 60 (language + payload). */
export function recordCrc(rec: Buffer): number {
  return crc32(rec.subarray(RECORD_HEADER_SIZE), crc32(rec.subarray(0, 56)));
}

export interface RecordHeader {
  version: number;
  tombstone: boolean;
  languageBytes: number;
  payloadBytes: number;
  time: number;
  /** Total record length: header + language + payload. */
  length: number;
}

export type HeaderCheck =
  | { ok: true; header: RecordHeader }
  | { ok: false; problem: 'short' | 'bad-magic' | 'header-checksum' | 'wrong-version'; detail: string };

/** Check the record header at `pos` (magic, header checksum, version). Does not check the payload. */
export function checkRecordHeader(buf: Buffer, pos: number): HeaderCheck {
  if (buf.length - pos < RECORD_HEADER_SIZE) return { ok: false, problem: 'short', detail: `only ${buf.length - pos} bytes left, a record header needs ${RECORD_HEADER_SIZE}` };
  if (buf.readUInt32LE(pos) !== RECORD_MAGIC) return { ok: false, problem: 'bad-magic', detail: 'no record magic' };
  // The version comes before the header checksum: another version may lay its header out differently.
  const version = buf.readUInt16LE(pos + 4);
  if (version !== STORE_FORMAT_VERSION) return { ok: false, problem: 'wrong-version', detail: `record format version ${version}, expected ${STORE_FORMAT_VERSION}` };
  if (buf.readUInt32LE(pos + 52) !== crc32(buf.subarray(pos, pos + 52))) return { ok: false, problem: 'header-checksum', detail: 'record header checksum mismatch' };
  const languageBytes = buf.readUInt8(pos + 7);
  const payloadBytes = buf.readUInt32LE(pos + 8);
  return {
    ok: true,
    header: {
      version,
      tombstone: (buf.readUInt8(pos + 6) & FLAG_TOMBSTONE) !== 0,
      languageBytes,
      payloadBytes,
      time: buf.readDoubleLE(pos + 12),
      length: RECORD_HEADER_SIZE + languageBytes + payloadBytes,
    },
  };
}

/** Full check of a complete record in `rec` (exactly one record): header, version, key and record checksum. */
export function checkRecord(rec: Buffer, expectKey?: Buffer): { ok: true; header: RecordHeader } | { ok: false; detail: string } {
  const h = checkRecordHeader(rec, 0);
  if (!h.ok) return { ok: false, detail: h.detail };
  if (h.header.length !== rec.length) return { ok: false, detail: `record length ${h.header.length} does not match the ${rec.length} bytes read` };
  if (expectKey && !rec.subarray(20, 52).equals(expectKey)) return { ok: false, detail: 'record key does not match the index' };
  if (rec.readUInt32LE(56) !== recordCrc(rec)) return { ok: false, detail: 'record checksum mismatch' };
  return { ok: true, header: h.header };
}

/**
 * Find the next offset after `from` where a plausible record header starts
 * (magic, header checksum and version all match). Used to resynchronise after
 * damage; a false match needs a 32-bit checksum collision. `complete: false`
 * means a magic was found too close to the end of `buf` to check its header.
 */
export function resync(buf: Buffer, from: number): { at: number; complete: boolean } | undefined {
  let at = from;
  for (;;) {
    const i = buf.indexOf(RECORD_MAGIC_BYTES, at);
    if (i === -1) return undefined;
    const h = checkRecordHeader(buf, i);
    if (h.ok) return { at: i, complete: true };
    // A magic too close to the end to check: maybe the start of a record still being written.
    if (h.problem === 'short') return { at: i, complete: false };
    at = i + 1;
  }
}

const RECORD_MAGIC_BYTES = Buffer.from('CSTR', 'latin1');

export function recordKey(rec: Buffer, pos = 0): Buffer {
  return rec.subarray(pos + 20, pos + 52);
}

export function recordLanguage(rec: Buffer, pos: number, languageBytes: number): string {
  return rec.toString('utf8', pos + RECORD_HEADER_SIZE, pos + RECORD_HEADER_SIZE + languageBytes);
}
