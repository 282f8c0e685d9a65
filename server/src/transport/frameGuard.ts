// A guard in front of vscode-jsonrpc's stdio reader. Its header parsing trusts
// parseInt: after `Content-Length: -5` it never reads another message (the
// server stays alive but deaf), and `Content-Length: 1e3` swallows the next
// message. This Transform forwards only frames whose header block has exactly
// one decimal Content-Length (plus optional other headers), re-emitted in
// canonical form; a bad header block is dropped (reported once per block) and
// the stream resynchronises at the next `Content-Length`. Chunks are joined
// once per frame, never per chunk (a 20 MB didOpen arrives in hundreds).
import { Transform, type TransformCallback } from 'node:stream';

const TERMINATOR = Buffer.from('\r\n\r\n', 'ascii');
const LENGTH_LINE = /^content-length:[ \t]*(\d{1,10})[ \t]*$/i;
const OTHER_HEADER = /^[A-Za-z0-9-]+:.*$/;
/** A header block longer than this without a terminator is junk. */
const MAX_HEADER = 64 * 1024;

export class FrameGuard extends Transform {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Body bytes still expected for the current frame (-1: reading a header). */
  private need = -1;
  private header = Buffer.alloc(0);

  constructor(private readonly report: (problem: string) => void) {
    super();
  }

  private consume(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.drain();
    done();
  }

  private drain(): void {
    for (;;) {
      if (this.need >= 0) {
        if (this.length < this.need) return;
        const body = this.consume(this.need);
        this.push(Buffer.concat([this.header, body]));
        this.need = -1;
        continue;
      }
      // Header: look for its terminator in what has arrived (headers are small).
      const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
      this.chunks = head.length ? [head] : [];
      const end = head.indexOf(TERMINATOR);
      if (end < 0) {
        if (head.length > MAX_HEADER) {
          this.report(`dropped ${head.length} bytes without a header terminator`);
          this.consume(head.length - 3);
        }
        return;
      }
      const text = head.subarray(0, end).toString('latin1');
      this.consume(end + TERMINATOR.length);
      // Junk before a header (the body of a dropped frame) is skipped: resync at the last Content-Length.
      const at = text.toLowerCase().lastIndexOf('content-length');
      const lines = at < 0 ? [] : text.slice(at).split('\r\n');
      const lengths = lines.filter((l) => /^content-length:/i.test(l));
      const m = lengths.length === 1 ? LENGTH_LINE.exec(lengths[0]!) : null;
      if (!m || !lines.every((l) => LENGTH_LINE.test(l) || OTHER_HEADER.test(l))) {
        this.report(`dropped a malformed header block: ${JSON.stringify(text.slice(0, 120))}`);
        continue;
      }
      if (at > 0) this.report(`skipped ${at} bytes of junk before a header`);
      this.need = Number(m[1]);
      this.header = Buffer.from(`Content-Length: ${this.need}\r\n\r\n`, 'ascii');
    }
  }
}
